//! Alerting provisioning, as Grafana answers it (`pkg/services/ngalert/api/api_provisioning.go`,
//! `provisioning/templates.go`; 12.x errutil errors, 10.x `ErrResp`): notification template
//! groups on both profiles.

use serde_json::{Value, json};

use crate::support::Emu;

/// (status, JSON body or `Null` for none) of a call with optional extra headers.
fn api(emu: &Emu, method: &str, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> (u16, Value) {
    let url = format!("{}{path}", emu.grafana_url);
    let body = body.map(|b| b.to_string());
    let (status, _, raw) = amg_local::harness::call_with(
        method,
        &url,
        Some(&emu.admin_token),
        body.as_deref().map(str::as_bytes),
        headers,
    )
    .unwrap();
    (status, serde_json::from_slice(&raw).unwrap_or(Value::Null))
}

const T: &str = "/api/v1/provisioning/templates";

#[test]
fn template_groups_are_wrapped_stored_and_answered_as_each_version_does() {
    for profile in ["10.4", "12.4"] {
        let emu = Emu::start(&["--grafana-version", profile]);
        let v12 = profile == "12.4";
        let (s, none) = api(&emu, "GET", T, None, &[]);
        assert_eq!((s, none), (200, if v12 { Value::Null } else { json!([]) }), "{profile}: an empty list");

        let (s, put) = api(&emu, "PUT", &format!("{T}/alerts"), Some(json!({"template": " Hi {{ .Status }}\n"})), &[]);
        assert_eq!(s, 202, "{profile}: {put}");
        let wrapped = "{{ define \"alerts\" }}\n  Hi {{ .Status }}\n{{ end }}";
        assert_eq!(put["template"], wrapped, "{profile}");
        assert_eq!(put["provenance"], "api", "{profile}");
        let (s, got) = api(&emu, "GET", &format!("{T}/alerts"), None, &[]);
        assert_eq!(s, 200);
        if v12 {
            // FNV-1 64 of the stored content.
            assert_eq!(
                got,
                json!({"name": "alerts", "template": wrapped, "provenance": "api", "version": got["version"]})
            );
            assert_eq!(got["version"].as_str().map(str::len), Some(16));
        } else {
            assert_eq!(got, json!({"name": "alerts", "template": wrapped}));
        }
        let (s, all) = api(&emu, "GET", T, None, &[]);
        assert_eq!((s, all.as_array().map(Vec::len)), (200, Some(1)));

        // Missing: 12.x's errutil 404, 10.x's empty 404.
        let (s, missing) = api(&emu, "GET", &format!("{T}/nope"), None, &[]);
        let want = if v12 {
            json!({"message": "Not found", "messageId": "alerting.notifications.templates.notFound", "statusCode": 404})
        } else {
            Value::Null
        };
        assert_eq!((s, missing), (404, want), "{profile}");

        // Invalid: empty, or not a template.
        for (content, v10_message) in [
            ("", "invalid object specification: template must have content"),
            ("{{ define \"a\" }}open", "invalid object specification: template: :1: unexpected EOF in define"),
        ] {
            let (s, b) = api(&emu, "PUT", &format!("{T}/bad"), Some(json!({"template": content})), &[]);
            assert_eq!(s, 400, "{profile}");
            if v12 {
                assert_eq!(b["messageId"], "alerting.notifications.templates.invalidFormat");
                assert_eq!(b["message"], "Template is in invalid format. Correct the payload and try again.");
            } else {
                assert_eq!(b, json!({"message": v10_message}));
            }
        }

        // Deleting is a 204, whether it was there or not.
        assert_eq!(api(&emu, "DELETE", &format!("{T}/alerts"), None, &[]).0, 204);
        assert_eq!(api(&emu, "DELETE", &format!("{T}/alerts"), None, &[]).0, 204);
        assert_eq!(api(&emu, "GET", &format!("{T}/alerts"), None, &[]).0, 404);
    }
}

#[test]
fn grafana_12_keeps_a_template_groups_provenance() {
    let emu = Emu::start(&[]);
    let none = [("X-Disable-Provenance", "true")];
    let body = || Some(json!({"template": "{{ define \"ui\" }}x{{ end }}"}));
    let (s, put) = api(&emu, "PUT", &format!("{T}/ui"), body(), &none);
    assert_eq!((s, &put["provenance"]), (202, &json!("")));
    // From none, any provenance may follow; from `api`, only `api`.
    assert_eq!(api(&emu, "PUT", &format!("{T}/ui"), body(), &[]).0, 202);
    let (s, refused) = api(&emu, "PUT", &format!("{T}/ui"), body(), &none);
    assert_eq!((s, &refused["messageId"]), (403, &json!("alerting.notifications.invalidProvenance")));
    assert!(refused["message"].as_str().unwrap().starts_with("Resource with provenance status 'api'"));
    assert_eq!(api(&emu, "DELETE", &format!("{T}/ui"), None, &none).0, 403);
    assert_eq!(api(&emu, "DELETE", &format!("{T}/ui"), None, &[]).0, 204);
    // A stale version is a conflict.
    assert_eq!(api(&emu, "PUT", &format!("{T}/v"), body(), &[]).0, 202);
    let stale = Some(json!({"template": "y", "version": "0000000000000000"}));
    let (s, b) = api(&emu, "PUT", &format!("{T}/v"), stale, &[]);
    assert_eq!((s, &b["messageId"]), (409, &json!("alerting.notifications.conflict")));
}
