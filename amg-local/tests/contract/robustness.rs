//! Bad input never crashes the emulator.

use serde_json::json;

use crate::support::{Emu, call, call_raw, try_call};

#[test]
fn malformed_json_unknown_routes_and_huge_bodies() {
    let emu = Emu::start(&[]);
    let g = emu.grafana_url.clone();
    let t = emu.admin_token.clone();
    for path in ["/api/folders", "/api/dashboards/db", "/api/datasources"] {
        let (s, b) = call("POST", &format!("{g}{path}"), Some(&t), Some("{not json"));
        assert_eq!((s, b), (400, json!({"message": "bad request data", "traceID": ""})), "{path}");
        let (s, b) = call("POST", &format!("{g}{path}"), Some(&t), Some("[1,2]"));
        assert_eq!((s, b), (400, json!({"message": "bad request data", "traceID": ""})), "{path}");
    }
    assert_eq!(call("GET", &format!("{g}/api/no/such/route"), Some(&t), None), (404, json!({"message": "Not found"})));
    let big = vec![b' '; (32 << 20) + 16];
    let (s, _) = call_raw("POST", &format!("{g}/api/dashboards/db"), Some(&t), Some(&big));
    assert_eq!(s, 413);
    // Still serving.
    assert_eq!(emu.api("GET", "/api/folders", None).0, 200);
    let (s, _) = call("POST", &format!("{}/workspaces", emu.control_plane_url.clone()), None, Some("{"));
    assert_eq!(s, 403, "unsigned first");
}

#[test]
fn faults_are_injected_before_any_effect() {
    let emu = Emu::start(&["--fault-rate", "1", "--seed", "7"]);
    let (s, _) = emu.api("POST", "/api/folders", Some(r#"{"title":"never"}"#));
    assert!(s == 429 || s == 503, "{s}");
    assert_eq!(emu.stats()["workspaces"][emu.workspace_id.clone()]["folders"], 0);
}

#[test]
fn drops_apply_the_write_then_close_the_connection() {
    let emu = Emu::start(&["--drop-rate", "1"]);
    let g = emu.grafana_url.clone();
    let r =
        try_call("POST", &format!("{g}/api/folders"), Some(&emu.admin_token.clone()), Some(br#"{"title":"applied"}"#));
    assert_eq!(r, Err("the connection closed without an answer (0 bytes received)".to_string()));
    assert_eq!(emu.stats()["workspaces"][emu.workspace_id.clone()]["folders"], 1, "the write was applied");
    assert_eq!(emu.api("GET", "/api/folders", None).0, 200, "reads are never dropped");
}

/// The same `--seed` gives the same faults, request for request.
#[test]
fn a_seed_makes_faults_repeatable() {
    let statuses = |seed: &str| -> Vec<u16> {
        let emu = Emu::start(&["--fault-rate", "0.5", "--seed", seed]);
        (0..40).map(|_| emu.api("GET", "/api/search", None).0).collect()
    };
    let a = statuses("11");
    assert_eq!(a, statuses("11"));
    assert!(a.contains(&200) && a.iter().any(|s| *s == 429 || *s == 503), "{a:?}");
    assert_ne!(a, statuses("12"), "another seed, other faults");
}
