//! Alert rules and rule groups, as Grafana answers them (`pkg/services/ngalert/api/api_provisioning.go`,
//! `provisioning/alert_rules.go`, `models/alert_rule.go`, `models/alert_query.go`): a group PUT
//! replaces the whole group and echoes its body, models get Grafana's defaults, Grafana's
//! refusals, and folders holding rules refused deletion.

use serde_json::{Value, json};

use crate::support::{Emu, call};

fn api(emu: &Emu, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let body = body.map(|b| b.to_string());
    call(method, &format!("{}{path}", emu.grafana_url), Some(&emu.admin_token), body.as_deref())
}

const GROUP: &str = "/api/v1/provisioning/folder/alerts/rule-groups/Latency";

fn rule(title: &str) -> Value {
    json!({"title": title, "condition": "A", "noDataState": "NoData", "execErrState": "Alerting", "for": "120s",
        "data": [{"refId": "A", "datasourceUid": "amp", "relativeTimeRange": {"from": 600, "to": 0},
            "model": {"refId": "A", "expr": "up"}}]})
}

fn with_folder(profile: &str) -> Emu {
    let emu = Emu::start(&["--grafana-version", profile]);
    assert_eq!(api(&emu, "POST", "/api/folders", Some(json!({"uid": "alerts", "title": "Alerts"}))).0, 200);
    emu
}

#[test]
fn a_group_put_replaces_the_group_echoes_its_body_and_adds_grafanas_defaults() {
    for profile in ["10.4", "12.4"] {
        let emu = with_folder(profile);
        let (s, missing) = api(&emu, "GET", GROUP, None);
        assert_eq!(s, 404, "{profile}: {missing}");

        let sent = json!({"interval": 60, "rules": [rule("p99"), rule("p50")]});
        let (s, echoed) = api(&emu, "PUT", GROUP, Some(sent.clone()));
        assert_eq!(s, 200, "{profile}: {echoed}");
        // What it was sent, with the path's title and folder: no uids for the new rules.
        assert_eq!(
            (&echoed["rules"], &echoed["title"], &echoed["folderUid"]),
            (&sent["rules"], &json!("Latency"), &json!("alerts"))
        );

        let (_, held) = api(&emu, "GET", GROUP, None);
        let rules = held["rules"].as_array().unwrap();
        assert_eq!((held["interval"].as_i64(), rules.len()), (Some(60), 2), "{profile}");
        let p99 = &rules[0];
        assert_eq!(
            (p99["title"].as_str(), p99["for"].as_str(), p99["provenance"].as_str()),
            (Some("p99"), Some("2m"), Some("api"))
        );
        assert_eq!(
            p99["data"][0]["model"],
            json!({"refId": "A", "expr": "up", "intervalMs": 1000, "maxDataPoints": 43200})
        );
        assert_eq!((p99["folderUID"].as_str(), p99["ruleGroup"].as_str()), (Some("alerts"), Some("Latency")));
        let uid = p99["uid"].as_str().unwrap().to_string();
        assert_eq!(api(&emu, "GET", &format!("/api/v1/provisioning/alert-rules/{uid}"), None).1["title"], "p99");

        // The next PUT keeps the rule named by uid, and deletes the one left out.
        let mut kept = rule("p99 renamed");
        kept["uid"] = json!(uid);
        let (s, _) = api(&emu, "PUT", GROUP, Some(json!({"interval": 120, "rules": [kept]})));
        assert_eq!(s, 200);
        let (_, all) = api(&emu, "GET", "/api/v1/provisioning/alert-rules", None);
        assert_eq!(all.as_array().map(Vec::len), Some(1), "{profile}");
        assert_eq!((all[0]["uid"].as_str(), all[0]["title"].as_str()), (Some(uid.as_str()), Some("p99 renamed")));

        // A group DELETE: 12.4 serves it; 10.4 has no such route.
        let (s, _) = api(&emu, "DELETE", GROUP, None);
        assert_eq!(s, if profile == "12.4" { 204 } else { 405 }, "{profile}");
        assert_eq!(api(&emu, "DELETE", &format!("/api/v1/provisioning/alert-rules/{uid}"), None).0, 204);
        assert_eq!(api(&emu, "GET", GROUP, None).0, 404);
    }
}

#[test]
fn rule_groups_are_refused_as_grafana_refuses_them() {
    let emu = with_folder("12.4");
    let refused = |body: Value, path: &str| api(&emu, "PUT", path, Some(body));
    let (s, e) = refused(json!({"interval": 15, "rules": [rule("r")]}), GROUP);
    assert_eq!(s, 400);
    assert_eq!(
        e["message"],
        "invalid alert rule: interval (15s) should be non-zero and divided exactly by scheduler interval: 10"
    );
    let mut untitled = rule("");
    let (s, e) = refused(json!({"interval": 60, "rules": [untitled.clone()]}), GROUP);
    assert_eq!((s, e["message"].as_str()), (400, Some("invalid alert rule: title is empty")));
    untitled["title"] = json!("t");
    untitled["data"] = json!([]);
    let (s, e) = refused(json!({"interval": 60, "rules": [untitled]}), GROUP);
    assert_eq!((s, e["message"].as_str()), (400, Some("invalid alert rule: no queries or expressions are found")));
    let mut routed = rule("routed");
    routed["notification_settings"] = json!({"receiver": "nobody"});
    let (s, e) = refused(json!({"interval": 60, "rules": [routed]}), GROUP);
    assert_eq!((s, e["message"].as_str()), (400, Some("invalid alert rule: receiver nobody does not exist")));
    let (s, _) =
        refused(json!({"interval": 60, "rules": [rule("r")]}), "/api/v1/provisioning/folder/none/rule-groups/g");
    assert_eq!(s, 404, "a folder that does not exist");

    // A title another group of the folder holds: 409.
    assert_eq!(refused(json!({"interval": 60, "rules": [rule("taken")]}), GROUP).0, 200);
    let other = "/api/v1/provisioning/folder/alerts/rule-groups/Other";
    let (s, e) = refused(json!({"interval": 60, "rules": [rule("taken")]}), other);
    assert_eq!((s, e["messageId"].as_str()), (409, Some("alerting.alert-rule.conflict")), "{e}");
}

#[test]
fn a_folder_holding_rules_is_refused_deletion_unless_forced_and_10_4_drops_record() {
    let emu = with_folder("10.4");
    let mut recording = rule("rec");
    recording["record"] = json!({"metric": "m", "from": "A"});
    assert_eq!(api(&emu, "PUT", GROUP, Some(json!({"interval": 60, "rules": [recording]}))).0, 200);
    assert_eq!(api(&emu, "GET", GROUP, None).1["rules"][0].get("record"), None, "10.4 has no recording rules");

    let (s, e) = api(&emu, "DELETE", "/api/folders/alerts", None);
    assert_eq!((s, e["message"].as_str()), (400, Some("folder cannot be deleted: folder contains alert rules")));
    assert_eq!(api(&emu, "DELETE", "/api/folders/alerts?forceDeleteRules=true", None).0, 200);
    assert_eq!(api(&emu, "GET", "/api/v1/provisioning/alert-rules", None).1, json!([]));
}
