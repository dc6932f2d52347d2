//! What AMG answers where self-hosted Grafana answers differently, on both profiles:
//! `/api/health` refused, `/healthz` and `/api/frontend/settings` served (the way a client
//! learns the version on AMG). Sources: `amg-local/README.md`, "AMG differs from self-hosted Grafana".

use serde_json::Value;

use crate::support::{Emu, call, call_with_head};

fn content_type(head: &str) -> String {
    head.lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.trim()))
        .unwrap_or_default()
        .to_string()
}

fn on_profile(profile: &str, version: &str) {
    let emu = Emu::start(&["--grafana-version", profile]);
    let g = emu.grafana_url.clone();
    let token = emu.admin_token.clone();

    // /api/health: refused to everyone, an admin token included, as AMG's front door does.
    for t in [Some(token.as_str()), None] {
        let (s, head, body) = call_with_head("GET", &format!("{g}/api/health"), t, None);
        assert_eq!(s, 400, "{profile}: /api/health with token {}", t.is_some());
        assert_eq!(String::from_utf8_lossy(&body), "Bad Request: Not allowed.", "{profile}");
        assert_eq!(content_type(&head), "text/plain; charset=utf-8", "{profile}");
    }

    // /healthz: Grafana's liveness probe, no credentials needed.
    let (s, head, body) = call_with_head("GET", &format!("{g}/healthz"), None, None);
    assert_eq!((s, String::from_utf8_lossy(&body).into_owned()), (200, "Ok".to_string()), "{profile}");
    assert_eq!(content_type(&head), "text/plain; charset=utf-8", "{profile}");

    // /api/frontend/settings: the version, in Grafana's buildInfo; AMG has no anonymous access.
    let (s, _) = call("GET", &format!("{g}/api/frontend/settings"), None, None);
    assert_eq!(s, 401, "{profile}: frontend settings without credentials");
    let (s, head, body) = call_with_head("GET", &format!("{g}/api/frontend/settings"), Some(&token), None);
    assert_eq!(s, 200, "{profile}");
    assert!(content_type(&head).starts_with("application/json"), "{profile}: {head}");
    let v: Value = serde_json::from_slice(&body).expect("JSON");
    let bi = &v["buildInfo"];
    assert_eq!(bi["version"], version, "{profile}: {v}");
    assert_eq!(bi["hideVersion"], false);
    for k in ["commit", "commitShort", "edition", "latestVersion", "env"] {
        assert!(bi[k].is_string(), "{profile}: buildInfo.{k} is a string in Grafana's DTO: {bi}");
    }
    assert!(bi["buildstamp"].is_i64() && bi["hasUpdate"].is_boolean(), "{bi}");
    assert_eq!(v["featureToggles"]["nestedFolders"], profile != "10.4", "{profile}: {v}");
    assert_eq!(v["anonymousEnabled"], false);
    assert_eq!(v["appUrl"], format!("{g}/"));

    // The probes are counted like any route.
    let stats = emu.stats();
    let count = |route: &str| -> u64 {
        stats["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["route"] == route)
            .map(|r| r["count"].as_u64().unwrap())
            .sum()
    };
    assert_eq!((count("/api/health"), count("/healthz"), count("/api/frontend/settings")), (2, 1, 2), "{stats}");
}

#[test]
fn health_and_version_routes_answer_as_amg_does_on_10_4() {
    on_profile("10.4", "10.4.1");
}

#[test]
fn health_and_version_routes_answer_as_amg_does_on_12_4() {
    on_profile("12.4", "12.4.0");
}
