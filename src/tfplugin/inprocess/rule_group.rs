//! `grafana_rule_group`, as Terraform drives it, on both Grafana profiles.

use serde_json::json;

use super::{Harness, s};
use crate::model::{Attr, Model};
use crate::resources::rule_group::RuleGroupModel;
use crate::resources::rule_group::rules::{RecordModel, RuleModel, SettingsModel};
use crate::resources::rule_group::tests::{MODEL_A, example_rule, query};
use crate::value::Value;

const TYPE: &str = "grafana_rule_group";
const GROUP: &str = "/api/v1/provisioning/folder/:folder/rule-groups/:group";
const RULE: &str = "/api/v1/provisioning/alert-rules/:uid";

fn group_path(name: &str) -> String {
    format!("/api/v1/provisioning/folder/rules/rule-groups/{}", name.replace(' ', "%20"))
}

fn config(h: &Harness, name: &str, interval: i64, rules: Vec<RuleModel>) -> Value {
    let rules = Value::List(rules.iter().map(Model::encode).collect());
    h.config(
        TYPE,
        &[("name", s(name)), ("folder_uid", s("rules")), ("interval_seconds", Value::int(interval)), ("rule", rules)],
    )
}

async fn with_folder(args: &[&str]) -> Harness {
    let h = Harness::start(args).await;
    // Under `--drop-rate` the answer may be lost: the folder is there all the same.
    h.grafana("POST", "/api/folders", Some(json!({"uid": "rules", "title": "Rules"}))).await;
    assert_eq!(h.grafana("GET", "/api/folders/rules", None).await.0, 200);
    h
}

fn rules_of(v: &Value) -> Vec<RuleModel> {
    RuleGroupModel::decode(v).rule.known().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_rule_group_lives_its_lifecycle_in_the_configurations_words_on_both_profiles() {
    for profile in ["10.4", "12.4"] {
        let h = with_folder(&["--grafana-version", profile]).await;
        let cfg = config(&h, "My Rule Group", 240, vec![example_rule("My Alert Rule 1")]);
        let (created, said) = h.plan_apply(TYPE, None, &cfg).await;
        said.assert_clean();
        // A create: the check that no group has the name, the PUT, the read back.
        assert_eq!((h.emu.count("GET", Some(GROUP)), h.emu.count("PUT", Some(GROUP))), (2, 1), "{profile}");
        let (_, held) = h.grafana("GET", &group_path("My Rule Group"), None).await;
        let rule = &held["rules"][0];
        assert_eq!((held["interval"].as_i64(), rule["for"].as_str()), (Some(240), Some("2m")), "{profile}");
        assert_eq!(rule["data"][0]["model"]["maxDataPoints"], 43200, "Grafana's default added");
        assert_eq!(rule["provenance"], "api");
        let state = RuleGroupModel::decode(&created.state);
        assert_eq!(state.id.as_str(), Some("1:rules:My Rule Group"));
        assert_eq!(rules_of(&created.state)[0].data, example_rule("x").data, "{profile}: the configured text");
        let uid = rules_of(&created.state)[0].uid.clone();
        assert_eq!(uid.as_str(), rule["uid"].as_str());

        // Nothing to do; a refresh is one request (the rules say their provenance).
        let (planned, replace, _, said) = h.plan(TYPE, Some(&created), &cfg).await;
        said.assert_clean();
        assert!(replace.is_empty() && planned == created.state, "{profile}: {planned:?}");
        let (gets, rule_gets) = (h.emu.count("GET", Some(GROUP)), h.emu.count("GET", Some(RULE)));
        let (read, _) = h.read(TYPE, &created).await;
        assert_eq!(read.state, created.state);
        assert_eq!((h.emu.count("GET", Some(GROUP)) - gets, h.emu.count("GET", Some(RULE)) - rule_gets), (1, 0));

        // The interval changed in Grafana is drift, shown and healed.
        let mut edited = held.clone();
        edited["interval"] = json!(60);
        assert_eq!(h.grafana("PUT", &group_path("My Rule Group"), Some(edited)).await.0, 200);
        let (drifted, _) = h.read(TYPE, &created).await;
        assert_eq!(drifted.state.get("interval_seconds"), &Value::int(60));
        let (healed, said) = h.plan_apply(TYPE, Some(&drifted), &cfg).await;
        said.assert_clean();
        assert_eq!(healed.state, created.state, "{profile}");

        // A rule added in front: the first keeps its uid, found by its name.
        let two = config(&h, "My Rule Group", 240, vec![example_rule("New"), example_rule("My Alert Rule 1")]);
        let (planned, _, _, _) = h.plan(TYPE, Some(&healed), &two).await;
        assert!(rules_of(&planned)[0].uid.is_unknown());
        assert_eq!(rules_of(&planned)[1].uid, uid, "{profile}");
        let (grown, said) = h.plan_apply(TYPE, Some(&healed), &two).await;
        said.assert_clean();
        let (_, held) = h.grafana("GET", &group_path("My Rule Group"), None).await;
        assert_eq!(
            (held["rules"][1]["uid"].as_str(), held["rules"][1]["title"].as_str()),
            (uid.as_str(), Some("My Alert Rule 1"))
        );

        // Imported by the official id, then the configuration plans nothing.
        let (imported, said) = h.import(TYPE, "rules:My Rule Group").await;
        said.assert_clean();
        let (planned, _, _, said) = h.plan(TYPE, imported.as_ref(), &two).await;
        said.assert_clean();
        assert_eq!(planned, imported.unwrap().state, "{profile}");

        h.destroy(TYPE, &grown).await.assert_clean();
        assert_eq!(h.grafana("GET", &group_path("My Rule Group"), None).await.0, 404);
        assert_eq!(h.emu.held("alert_rules"), 0);
    }
}

#[tokio::test]
async fn a_group_left_editable_reads_its_provenance_from_one_rule_and_a_held_name_is_not_taken_over() {
    let h = with_folder(&[]).await;
    let mut cfg = config(&h, "Editable", 60, vec![example_rule("r")]);
    cfg.set("disable_provenance", Value::Bool(true));
    let (created, said) = h.plan_apply(TYPE, None, &cfg).await;
    said.assert_clean();
    let (_, held) = h.grafana("GET", &group_path("Editable"), None).await;
    assert_eq!(held["rules"][0].get("provenance"), None, "none, left out");
    let rule_gets = h.emu.count("GET", Some(RULE));
    let (read, _) = h.read(TYPE, &created).await;
    assert_eq!(
        (read.state.get("disable_provenance"), h.emu.count("GET", Some(RULE)) - rule_gets),
        (&Value::Bool(true), 1)
    );

    // `terraform query` lists it by name and folder uid, as an import reads it.
    h.assert_listed_as_imported(TYPE, &["Editable (rules)"]).await;

    // Another configuration's create of the same group is refused, and changes nothing.
    let other = config(&h, "Editable", 60, vec![example_rule("other")]);
    let (_, _, carried, _) = h.plan(TYPE, None, &other).await;
    let (_, said) = h.apply(TYPE, None, &carried, &other).await;
    assert!(said.errors.iter().any(|e| e.contains("already exists") && e.contains("rules:Editable")), "{said:?}");
    assert_eq!(h.emu.count("PUT", Some(GROUP)), 1);
    h.destroy(TYPE, &read).await.assert_clean();
}

#[tokio::test]
async fn bad_rule_groups_are_refused_at_plan_each_at_its_attribute() {
    let h = Harness::unconfigured(&[]);
    let mut bad = example_rule("same");
    bad.for_ = "5 minutes".into();
    bad.no_data_state = "Nothing".into();
    bad.data = Attr::from(vec![query("A", "x", 600, MODEL_A), query("A", "x", 600, "[1]")]);
    bad.notification_settings = Attr::from(vec![SettingsModel {
        contact_point: "cp".into(),
        group_by: Attr::from(vec!["team".to_string()]),
        ..Default::default()
    }]);
    let said = h.validate(TYPE, &config(&h, "g", 15, vec![example_rule("same"), bad])).await;
    let expect = [
        "(at interval_seconds)",
        "(at rule[1].name)",
        "(at rule[1].for)",
        "(at rule[1].no_data_state)",
        "(at rule[1].data[1].ref_id)",
        "(at rule[1].data[1].model)",
        "(at rule[1].notification_settings[0].group_by)",
    ];
    for at in expect {
        assert!(said.errors.iter().any(|e| e.ends_with(at)), "{at}: {said:?}");
    }
    assert_eq!(said.errors.len(), expect.len(), "{said:?}");
}

#[tokio::test]
async fn a_recording_rule_is_refused_at_plan_where_grafana_would_drop_it() {
    let h = with_folder(&["--grafana-version", "10.4"]).await;
    let mut r = example_rule("rec");
    r.record = Attr::from(vec![RecordModel { metric: "m".into(), from: "A".into() }]);
    let (_, _, _, said) = h.plan(TYPE, None, &config(&h, "g", 60, vec![r])).await;
    assert!(said.errors.iter().any(|e| e.contains("11.2") && e.ends_with("(at rule[0].record)")), "{said:?}");
}

#[tokio::test]
async fn the_official_providers_state_plans_nothing_after_replace_provider() {
    let h = with_folder(&[]).await;
    let cfg = config(&h, "My Rule Group", 240, vec![example_rule("My Alert Rule 1")]);
    let (created, said) = h.plan_apply(TYPE, None, &cfg).await;
    said.assert_clean();
    let uid = rules_of(&created.state)[0].uid.as_str().unwrap().to_string();
    // As the official provider (SDKv2) stores it: Go's duration text, the normalised model,
    // empty maps and lists, `""` for unset strings.
    let official = json!({"id": "1:rules:My Rule Group", "org_id": "1", "name": "My Rule Group", "folder_uid": "rules",
        "interval_seconds": 240, "disable_provenance": false, "rule": [{"uid": uid, "name": "My Alert Rule 1",
        "for": "2m0s", "no_data_state": "NoData", "exec_err_state": "Alerting", "condition": "B",
        "annotations": {"a": "b", "c": "d"}, "labels": {"e": "f", "g": "h"}, "is_paused": false,
        "notification_settings": [], "record": [],
        "data": [{"ref_id": "A", "datasource_uid": "PD8C576611E62080A", "query_type": "",
            "model": "{\"hide\":false,\"refId\":\"A\"}", "relative_time_range": [{"from": 600, "to": 0}]},
            {"ref_id": "B", "datasource_uid": "-100", "query_type": "", "model": rules_of(&created.state)[0]
            .data.known().unwrap()[1].model.as_str().unwrap(), "relative_time_range": [{"from": 0, "to": 0}]}]}]});
    let read = h.upgraded_and_read(TYPE, 0, &official).await;
    let (planned, replace, _, said) = h.plan(TYPE, Some(&read), &cfg).await;
    said.assert_clean();
    assert!(replace.is_empty());
    assert_eq!(planned, read.state, "no change");
}

#[tokio::test]
async fn writes_whose_answers_are_lost_are_confirmed_by_reading_back() {
    let h = with_folder(&["--drop-rate", "1", "--seed", "7"]).await;
    let (created, said) = h.plan_apply(TYPE, None, &config(&h, "lost", 60, vec![example_rule("r")])).await;
    said.assert_clean();
    let changed = config(&h, "lost", 120, vec![example_rule("r"), example_rule("s")]);
    let (updated, said) = h.plan_apply(TYPE, Some(&created), &changed).await;
    said.assert_clean();
    assert_eq!((h.emu.count("PUT", Some(GROUP)), h.emu.held("alert_rules")), (2, 2));
    assert_eq!(updated.state.get("interval_seconds"), &Value::int(120));
}

#[tokio::test]
async fn a_folder_holding_rules_is_not_deleted_and_the_error_says_what_holds_it() {
    let h = Harness::start(&[]).await;
    let folder = h.config("grafana_folder", &[("title", s("Rules")), ("uid", s("rules"))]);
    let (f, said) = h.plan_apply("grafana_folder", None, &folder).await;
    said.assert_clean();
    let (g, said) = h.plan_apply(TYPE, None, &config(&h, "Kept", 60, vec![example_rule("r")])).await;
    said.assert_clean();
    let said = h.destroy("grafana_folder", &f).await;
    assert!(said.errors.iter().any(|e| e.contains("alert rules") && e.contains("grafana_rule_group")), "{said:?}");
    assert_eq!(h.grafana("GET", "/api/folders/rules", None).await.0, 200, "nothing deleted");
    h.destroy(TYPE, &g).await.assert_clean();
    h.destroy("grafana_folder", &f).await.assert_clean();
}
