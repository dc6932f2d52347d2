//! Alerting provisioning, as Grafana answers it (`pkg/services/ngalert/api/api_provisioning.go`,
//! `provisioning/templates.go`, `mute_timings.go`, `notification_policies.go`; 12.x errutil errors, 10.x `ErrResp`): notification template
//! groups, mute timings and the notification policy tree on both profiles.

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

const M: &str = "/api/v1/provisioning/mute-timings";
const P: &str = "/api/v1/provisioning/policies";

/// The official provider's documentation example, as its client sends it.
fn weekly() -> Value {
    json!({"name": "weekly", "time_intervals": [{
        "times": [{"start_time": "04:56", "end_time": "14:17"}],
        "weekdays": ["Monday", "tuesday:thursday"], "days_of_month": ["1:7", "-1"],
        "months": ["1:3", "december"], "years": ["2030", "2025:2026"]}]})
}

#[test]
fn mute_timings_are_parsed_stored_and_answered_as_each_version_does() {
    for profile in ["10.4", "12.4"] {
        let emu = Emu::start(&["--grafana-version", profile]);
        let v12 = profile == "12.4";
        assert_eq!(api(&emu, "GET", M, None, &[]), (200, json!([])), "{profile}: an empty list");

        let (s, created) = api(&emu, "POST", M, Some(weekly()), &[]);
        assert_eq!(s, 201, "{profile}: {created}");
        // Alertmanager's form: weekday names lower-cased, months as numbers.
        let stored = json!([{"times": [{"start_time": "04:56", "end_time": "14:17"}],
            "weekdays": ["monday", "tuesday:thursday"], "days_of_month": ["1:7", "-1"],
            "months": ["1:3", "12"], "years": ["2030", "2025:2026"]}]);
        assert_eq!((&created["time_intervals"], &created["provenance"]), (&stored, &json!("api")), "{profile}");
        let (s, got) = api(&emu, "GET", &format!("{M}/weekly"), None, &[]);
        assert_eq!((s, &got["time_intervals"]), (200, &stored));
        assert_eq!(got["version"].as_str().map(str::len), v12.then_some(16), "{profile}: version on 12 only");

        // A second create of the name is refused; an update replaces the intervals.
        let (s, b) = api(&emu, "POST", M, Some(weekly()), &[]);
        assert_eq!((s, &b["messageId"]), (400, &json!("alerting.notifications.time-intervals.nameExists")));
        let always = json!({"name": "weekly", "time_intervals": [{}]});
        let (s, b) = api(&emu, "PUT", &format!("{M}/weekly"), Some(always), &[]);
        assert_eq!((s, &b["time_intervals"]), (202, &json!([{}])), "{profile}: an empty interval mutes always");

        // What Alertmanager cannot parse is Grafana's binding error; no name its validation error.
        let bad = json!({"name": "bad", "time_intervals": [{"weekdays": ["funday"]}]});
        assert_eq!(api(&emu, "POST", M, Some(bad), &[]), (400, json!({"message": "bad request data", "traceID": ""})));
        let (s, b) = api(&emu, "POST", M, Some(json!({"time_intervals": []})), &[]);
        assert_eq!((s, &b["messageId"]), (400, &json!("alerting.notifications.time-intervals.invalidFormat")));
        let (s, b) = api(&emu, "PUT", &format!("{M}/nope"), Some(json!({"name": "nope"})), &[]);
        assert_eq!((s, &b["messageId"]), (404, &json!("alerting.notifications.time-intervals.notFound")));

        // Without provenance: none, left out of the answer.
        let none = [("X-Disable-Provenance", "true")];
        let (s, b) = api(&emu, "POST", M, Some(json!({"name": "ui", "time_intervals": []})), &none);
        assert_eq!((s, b.get("provenance")), (201, None), "{profile}");

        // A policy naming it keeps it from being deleted; the reset tree lets it go.
        let tree = json!({"receiver": "grafana-default-email",
            "routes": [{"receiver": "grafana-default-email", "mute_time_intervals": ["weekly"]}]});
        assert_eq!(api(&emu, "PUT", P, Some(tree), &[]).0, 202);
        let (s, b) = api(&emu, "DELETE", &format!("{M}/weekly"), None, &[]);
        assert_eq!((s, &b["messageId"]), (409, &json!("alerting.notifications.time-intervals.used")), "{profile}");
        assert_eq!(api(&emu, "DELETE", P, None, &[]).0, 202);
        assert_eq!(api(&emu, "DELETE", &format!("{M}/weekly"), None, &[]).0, 204);
        assert_eq!(api(&emu, "DELETE", &format!("{M}/weekly"), None, &[]).0, 204, "{profile}: gone is a 204");
        assert_eq!(api(&emu, "GET", &format!("{M}/weekly"), None, &[]).0, 404);
    }
}

#[test]
fn the_policy_tree_is_grafanas_default_until_replaced_and_names_only_what_exists() {
    let emu = Emu::start(&[]);
    let default = json!({"receiver": "grafana-default-email", "group_by": ["grafana_folder", "alertname"]});
    assert_eq!(api(&emu, "GET", P, None, &[]), (200, default.clone()));
    for (tree, why) in [
        (json!({"group_by": ["x"]}), "root route must specify a default receiver"),
        (json!({"receiver": "nobody"}), "receiver 'nobody' does not exist"),
        (
            json!({"receiver": "grafana-default-email", "routes": [{"mute_time_intervals": ["missing"]}]}),
            "mute time interval 'missing' does not exist",
        ),
    ] {
        let (s, b) = api(&emu, "PUT", P, Some(tree), &[]);
        assert_eq!((s, &b["message"]), (400, &json!(format!("invalid object specification: {why}"))));
    }
    let tree = json!({"receiver": "grafana-default-email", "group_by": ["alertname"]});
    assert_eq!(api(&emu, "PUT", P, Some(tree.clone()), &[("X-Disable-Provenance", "true")]).0, 202);
    assert_eq!(api(&emu, "GET", P, None, &[]), (200, tree.clone()), "no provenance: none said");
    assert_eq!(api(&emu, "PUT", P, Some(tree.clone()), &[]).0, 202);
    let (_, held) = api(&emu, "GET", P, None, &[]);
    assert_eq!(held["provenance"], "api");
    // 12.x: from `api` back to none is refused; a reset clears it.
    assert_eq!(api(&emu, "PUT", P, Some(tree), &[("X-Disable-Provenance", "true")]).0, 403);
    assert_eq!(api(&emu, "DELETE", P, None, &[]), (202, json!({"message": "policies resetted"})));
    assert_eq!(api(&emu, "GET", P, None, &[]), (200, default));
}

#[test]
fn grafana_12_keeps_a_mute_timings_provenance_and_version() {
    let emu = Emu::start(&[]);
    let none = [("X-Disable-Provenance", "true")];
    let (_, created) = api(&emu, "POST", M, Some(weekly()), &[]);
    let mut change = weekly();
    assert_eq!(api(&emu, "PUT", &format!("{M}/weekly"), Some(change.clone()), &none).0, 403);
    assert_eq!(api(&emu, "DELETE", &format!("{M}/weekly"), None, &none).0, 403);
    change["version"] = json!("0000000000000000");
    let (s, b) = api(&emu, "PUT", &format!("{M}/weekly"), Some(change.clone()), &[]);
    assert_eq!((s, &b["messageId"]), (409, &json!("alerting.notifications.conflict")));
    change["version"] = created["version"].clone();
    assert_eq!(api(&emu, "PUT", &format!("{M}/weekly"), Some(change), &[]).0, 202);
    let stale = format!("{M}/weekly?version=0000000000000000");
    assert_eq!(api(&emu, "DELETE", &stale, None, &[]).0, 409);
    assert_eq!(api(&emu, "DELETE", &format!("{M}/weekly"), None, &[]).0, 204);
}

#[test]
fn the_policy_tree_is_stored_in_alertmanagers_form_and_10_4_drops_what_it_does_not_know() {
    for profile in ["10.4", "12.4"] {
        let emu = Emu::start(&["--grafana-version", profile]);
        assert_eq!(api(&emu, "POST", M, Some(weekly()), &[]).0, 201);
        let tree = json!({"receiver": "grafana-default-email", "group_by": ["..."], "group_interval": "300s",
            "routes": [{"continue": false, "mute_time_intervals": [], "active_time_intervals": ["weekly"],
                        "object_matchers": [["team", "=~", "a|b"]], "repeat_interval": "90m", "routes": []}]});
        assert_eq!(api(&emu, "PUT", P, Some(tree), &[("X-Disable-Provenance", "true")]).0, 202);
        let route = if profile == "12.4" {
            json!({"active_time_intervals": ["weekly"], "object_matchers": [["team", "=~", "a|b"]], "repeat_interval": "1h30m"})
        } else {
            json!({"object_matchers": [["team", "=~", "a|b"]], "repeat_interval": "1h30m"})
        };
        let want = json!({"receiver": "grafana-default-email", "group_by": ["..."], "group_interval": "5m", "routes": [route]});
        assert_eq!(api(&emu, "GET", P, None, &[]), (200, want), "{profile}");
        for bad in [
            json!({"receiver": "grafana-default-email", "group_by": ["...", "a"]}),
            json!({"receiver": "grafana-default-email", "repeat_interval": "0s"}),
            json!({"receiver": "grafana-default-email", "routes": [{"object_matchers": [["a", "==", "b"]]}]}),
        ] {
            assert_eq!(api(&emu, "PUT", P, Some(bad.clone()), &[]).0, 400, "{profile}: {bad}");
        }
    }
}

#[test]
fn contact_points_are_checked_answered_redacted_and_kept_while_a_policy_names_them() {
    let emu = Emu::start(&[]);
    let cps = "/api/v1/provisioning/contact-points";
    // Grafana's default contact point is there from the start.
    let (s, all) = api(&emu, "GET", cps, None, &[]);
    assert_eq!(
        (s, all[0]["name"].as_str(), all[0]["type"].as_str()),
        (200, Some("grafana-default-email"), Some("email"))
    );
    // SNS with the old AMG plugin keys is refused with Grafana's words; Grafana's own keys are taken.
    let old = json!({"name": "ops", "type": "sns", "settings": {"topic": "arn:aws:sns:us-east-1:1:grafana-ops", "authProvider": "default"}});
    let (s, b) = api(&emu, "POST", cps, Some(old), &[]);
    assert_eq!(
        (s, b["message"].as_str()),
        (400, Some("invalid object specification: must specify topicArn, targetArn, or phone number"))
    );
    let sns = json!({"name": "ops", "type": "sns", "settings": {"topic_arn": "arn:aws:sns:us-east-1:1:grafana-ops", "sigv4": {"region": "us-east-1"}}});
    let (s, made) = api(&emu, "POST", cps, Some(sns), &[]);
    assert_eq!((s, made["provenance"].as_str()), (202, Some("api")), "{made}");
    // A secret is answered redacted; X-Disable-Provenance makes the provenance none.
    let slack = json!({"name": "ops", "type": "slack", "settings": {"token": "xoxb-secret", "recipient": "#ops"}});
    let (s, slack) = api(&emu, "POST", cps, Some(slack), &[("X-Disable-Provenance", "true")]);
    assert_eq!((s, slack["provenance"].as_str()), (202, Some("")));
    let (_, ops) = api(&emu, "GET", &format!("{cps}?name=ops"), None, &[]);
    assert_eq!(ops.as_array().map(Vec::len), Some(2));
    assert_eq!(ops[1]["settings"], json!({"token": "[REDACTED]", "recipient": "#ops"}));
    for (bad, said) in [
        (json!({"name": "x", "type": "email", "settings": {}}), "could not find addresses in settings"),
        (json!({"name": "x", "type": "carrier-pigeon", "settings": {}}), "unknown type 'carrier-pigeon'"),
        (json!({"name": "", "type": "email", "settings": {"addresses": "a@b.c"}}), "name should not be empty"),
    ] {
        let (s, b) = api(&emu, "POST", cps, Some(bad.clone()), &[]);
        assert_eq!(
            (s, b["message"].as_str().map(|m| m.trim_start_matches("invalid object specification: "))),
            (400, Some(said)),
            "{bad}"
        );
    }
    // A policy may name it; then its last integration cannot go.
    let tree = json!({"receiver": "ops", "group_by": ["alertname"]});
    assert_eq!(api(&emu, "PUT", "/api/v1/provisioning/policies", Some(tree), &[]).0, 202);
    let uid = |v: &Value| v["uid"].as_str().unwrap().to_string();
    assert_eq!(api(&emu, "DELETE", &format!("{cps}/{}", uid(&made)), None, &[]).0, 202);
    let (s, b) = api(&emu, "DELETE", &format!("{cps}/{}", uid(&slack)), None, &[]);
    assert_eq!(
        (s, b["message"].as_str()),
        (409, Some("contact point 'ops' is currently used by a notification policy"))
    );
    assert_eq!(api(&emu, "DELETE", "/api/v1/provisioning/policies", None, &[]).0, 202);
    assert_eq!(api(&emu, "DELETE", &format!("{cps}/{}", uid(&slack)), None, &[]).0, 202);
    assert_eq!(
        api(
            &emu,
            "PUT",
            &format!("{cps}/nope"),
            Some(json!({"name": "x", "type": "email", "settings": {"addresses": "a@b.c"}})),
            &[]
        )
        .0,
        404
    );
}
