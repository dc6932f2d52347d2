//! amg-local's own contract, as other tools rely on it.

use serde_json::json;

use crate::support::{Emulator, GrafanaAdmin, http};

#[test]
fn grafana_errors_are_grafanas_bodies() {
    let emu = Emulator::start(&[]);
    let g = |m: &str, p: &str, b: Option<serde_json::Value>| emu.grafana(m, p, b);
    assert_eq!(
        g("GET", "/api/folders/nope", None),
        (404, json!({"message": "folder not found", "status": "not-found"}))
    );
    assert_eq!(
        g("POST", "/api/folders", Some(json!({"title": " "}))),
        (400, json!({"message": "folder title cannot be empty"}))
    );
    assert_eq!(
        g("POST", "/api/folders", Some(json!({"title": "x", "uid": "a b"}))),
        (400, json!({"message": "uid contains illegal characters"}))
    );
    assert_eq!(g("POST", "/api/folders", Some(json!({"title": "A", "uid": "a"}))).0, 200);
    assert_eq!(
        g("POST", "/api/folders", Some(json!({"title": "B", "uid": "a"}))),
        (409, json!({"message": "a folder/dashboard with the same uid already exists"}))
    );
    assert_eq!(g("GET", "/api/nothing-here", None), (404, json!({"message": "Not found"})));
    let (s, b) = http("GET", &format!("{}/api/folders", emu.grafana_url), Some("glsa_bogus_00000000"), None, None);
    assert_eq!(
        (s, b),
        (401, json!({"message": "Invalid API key", "messageId": "api-key.invalid", "statusCode": 401, "traceID": ""}))
    );
    // As on AMG: `/api/health` is refused even to an admin; `/healthz` answers.
    let (s, b) = http("GET", &format!("{}/api/health", emu.grafana_url), Some(&emu.admin_token), None, None);
    assert_eq!((s, b), (400, json!("Bad Request: Not allowed.")));
    let (s, b) = http("GET", &format!("{}/healthz", emu.grafana_url), None, None, None);
    assert_eq!((s, b), (200, json!("Ok")));
}

#[test]
fn stats_count_routes_by_template() {
    let emu = Emulator::start(&[]);
    emu.grafana("GET", "/api/folders/abc", None);
    emu.grafana("GET", "/api/folders/def", None);
    let stats = emu.stats();
    let row =
        stats["requests"].as_array().unwrap().iter().find(|r| r["route"] == "/api/folders/:uid").cloned().expect("row");
    assert_eq!(row, json!({"method": "GET", "route": "/api/folders/:uid", "status": 404, "count": 2}));
    let ws = &stats["workspaces"][&emu.workspace_id];
    assert_eq!(ws["live_tokens"], 1);
    assert_eq!(ws["service_accounts"], 1);
}

#[test]
fn control_plane_refuses_unsigned_requests() {
    let emu = Emulator::start(&[]);
    let (s, b) = http("GET", &format!("{}/workspaces", emu.control_plane_url), None, None, None);
    assert_eq!((s, b), (403, json!({"message": "Missing Authentication Token"})));
}
