//! Unit tests of `grafana_rule_group`'s mapping: the rule sent, the state read back in the
//! configuration's words, the checks at plan.

use std::collections::BTreeMap;

use serde_json::json;

use super::rules::{DataModel, RangeModel, SettingsModel, model_text, pair_uids, rule_state, same_model, wire_rule};
use super::*;
use crate::grafana::AlertRule;

/// The official documentation example's `model` of query A (`jsonencode`, keys sorted).
pub const MODEL_A: &str = r#"{"hide":false,"intervalMs":1000,"maxDataPoints":43200,"refId":"A"}"#;
/// Its classic condition B, as the example's heredoc writes it.
pub const MODEL_B: &str = r#"{
    "conditions": [{"evaluator": {"params": [3], "type": "gt"}, "operator": {"type": "and"},
        "query": {"params": ["A"]}, "reducer": {"params": [], "type": "last"}, "type": "query"}],
    "datasource": {"type": "__expr__", "uid": "-100"},
    "hide": false, "intervalMs": 1000, "maxDataPoints": 43200, "refId": "B", "type": "classic_conditions"
}"#;

pub fn query(ref_id: &str, datasource: &str, from: i64, model: &str) -> DataModel {
    DataModel {
        ref_id: ref_id.into(),
        datasource_uid: datasource.into(),
        query_type: "".into(),
        model: model.into(),
        relative_time_range: Attr::from(vec![RangeModel { from: from.into(), to: 0.into() }]),
    }
}

pub fn map(pairs: &[(&str, &str)]) -> Attr<BTreeMap<String, String>> {
    Attr::from(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>())
}

/// The official documentation example's rule, as its configuration has it.
pub fn example_rule(name: &str) -> RuleModel {
    RuleModel {
        name: name.into(),
        for_: "2m".into(),
        condition: "B".into(),
        no_data_state: "NoData".into(),
        exec_err_state: "Alerting".into(),
        annotations: map(&[("a", "b"), ("c", "d")]),
        labels: map(&[("e", "f"), ("g", "h")]),
        is_paused: false.into(),
        data: Attr::from(vec![query("A", "PD8C576611E62080A", 600, MODEL_A), query("B", "-100", 0, MODEL_B)]),
        notification_settings: Attr::from(Vec::new()),
        record: Attr::from(Vec::new()),
        ..Default::default()
    }
}

#[test]
fn models_mean_the_same_without_grafanas_defaults_and_in_any_key_order() {
    assert!(same_model(MODEL_A, r#"{"refId": "A", "hide": false}"#));
    assert!(!same_model(MODEL_A, r#"{"refId":"A","hide":false,"intervalMs":1001}"#));
    // The state text of a model Grafana holds: the official provider's (defaults out, keys sorted).
    let held = json!({"refId": "A", "maxDataPoints": 43200, "intervalMs": 1000, "hide": false});
    assert_eq!(model_text(&held), r#"{"hide":false,"refId":"A"}"#);
    assert_eq!(
        model_text(&json!({"maxDataPoints": 43201, "b": {"z": 1, "a": 2}})),
        r#"{"b":{"a":2,"z":1},"maxDataPoints":43201}"#
    );
}

#[test]
fn a_rule_read_back_keeps_the_configurations_words_where_grafanas_mean_the_same() {
    let planned = example_rule("My Alert Rule 1");
    let mut held: AlertRule = wire_rule(&planned, "f", "g");
    held.uid = "u1".into();
    held.for_ = "2m".into();
    held.data[0].model = json!({"refId": "A", "hide": false, "intervalMs": 1000, "maxDataPoints": 43200});
    let state = rule_state(Some(&planned), &held);
    assert_eq!(state.data, planned.data, "the models' text as configured");
    assert_eq!((state.uid.as_str(), &state.for_), (Some("u1"), &planned.for_));

    // `120s` configured, `2m` held: the configured words; a model Grafana changed: Grafana's.
    let seconds = RuleModel { for_: "120s".into(), ..planned.clone() };
    held.data[0].model = json!({"refId": "A", "hide": true});
    let state = rule_state(Some(&seconds), &held);
    assert_eq!(state.for_, seconds.for_);
    assert_eq!(state.data.known().unwrap()[0].model.as_str(), Some(r#"{"hide":true,"refId":"A"}"#));

    // Empty maps and no settings: unset, unless the configuration wrote `{}`.
    held.labels.clear();
    let state = rule_state(Some(&planned), &held);
    assert_eq!(state.labels, Attr::Null);
    let empty = RuleModel { labels: map(&[]), ..planned };
    assert_eq!(rule_state(Some(&empty), &held).labels, map(&[]));
    assert_eq!(state.notification_settings, Attr::from(Vec::new()));
}

#[test]
fn notification_settings_go_out_in_grafanas_shape_and_come_back_in_the_configurations() {
    let mut rule = example_rule("r");
    rule.notification_settings = Attr::from(vec![SettingsModel {
        contact_point: "cp".into(),
        group_by: Attr::from(vec!["alertname".to_string(), "grafana_folder".to_string()]),
        mute_timings: Attr::from(Vec::new()),
        group_wait: "30s".into(),
        repeat_interval: "240m".into(),
        ..Default::default()
    }]);
    let sent = wire_rule(&rule, "f", "g");
    let s = sent.notification_settings.clone().unwrap();
    assert_eq!((s.receiver.as_str(), s.mute_time_intervals, s.group_interval), ("cp", None, None));
    let mut held = sent;
    held.notification_settings.as_mut().unwrap().repeat_interval = Some("4h".into());
    let state = rule_state(Some(&rule), &held);
    assert_eq!(state.notification_settings, rule.notification_settings, "`240m` is `4h`; `[]` stays");
}

#[test]
fn import_ids_are_folder_and_name_with_an_optional_organisation() {
    let mut diags = Diagnostics::default();
    assert_eq!(checks::parse_import_id("f1:My Group", &mut diags), Some(("f1", "My Group")));
    assert_eq!(checks::parse_import_id("1:f1:My Group", &mut diags), Some(("f1", "My Group")));
    assert_eq!(checks::parse_import_id("f1:a:b", &mut diags), Some(("f1", "a:b")));
    assert!(diags.0.is_empty());
    assert_eq!(checks::parse_import_id("2:f1:g", &mut diags), None);
    assert_eq!(checks::parse_import_id("nocolon", &mut diags), None);
    assert_eq!(diags.0.len(), 2);
}

#[test]
fn rules_keep_their_uid_by_name_and_through_a_rename_in_place() {
    let prior = |name: &str, uid: &str| RuleModel { uid: uid.into(), ..example_rule(name) };
    let was = [prior("a", "ua"), prior("b", "ub"), prior("c", "uc")];
    // `b` moved first, `a` renamed `z` in place, `c` gone, `n` new at the end.
    let mut planned = [example_rule("b"), example_rule("z"), example_rule("n"), example_rule("m")];
    let configured = planned.clone();
    pair_uids(&was, &configured, &mut planned);
    let uids: Vec<Attr<String>> = planned.iter().map(|r| r.uid.clone()).collect();
    assert_eq!(uids[..2], ["ub".into(), Attr::unknown()]);
    // `z` sits where `b` was, and `b` is still planned: no rename there.
    assert_eq!(uids[2], "uc".into(), "`c` is gone and `n` took its place: a rename");
    assert!(uids[3].is_unknown());
    // A rename where the old name is not planned elsewhere keeps the uid.
    let mut renamed = [example_rule("a2"), example_rule("b"), example_rule("c")];
    pair_uids(&was, &renamed.clone(), &mut renamed);
    assert_eq!(renamed.map(|r| r.uid), ["ua".into(), "ub".into(), "uc".into()]);
}
