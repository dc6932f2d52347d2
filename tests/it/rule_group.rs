//! `grafana_rule_group` under real Terraform: the official provider's documentation example and
//! its acceptance configurations (`_acc_reparent_folder.tf`, `_acc_model_normalization.tf`,
//! `_acc_multi_rule_group*.tf`; grafana/terraform-provider-grafana, MPL-2.0; verbatim in
//! `tests/fixtures/official/`), on both Terraform versions and both Grafana profiles: apply, an
//! empty plan, provenance, drift healed, import by the official id, a move to another folder,
//! rules added and taken away, destroy; and a folder that holds rules Terraform does not manage,
//! refused with the reason.

use serde_json::json;

use crate::support::{Emulator, GrafanaAdmin, Terraform, Workdir};

const EXAMPLE: &str = include_str!("../fixtures/official/rule_group_resource.tf");
const NORMALIZATION: &str = include_str!("../fixtures/official/rule_group_model_normalization.tf");
const REPARENT: &str = include_str!("../fixtures/official/rule_group_reparent_folder.tf");
const MULTI: &str = include_str!("../fixtures/official/rule_group_multi.tf");
const MULTI_ADDED: &str = include_str!("../fixtures/official/rule_group_multi_added.tf");
const MULTI_SUBTRACTED: &str = include_str!("../fixtures/official/rule_group_multi_subtracted.tf");

fn group_path(folder: &str, name: &str) -> String {
    format!("/api/v1/provisioning/folder/{folder}/rule-groups/{}", name.replace(' ', "%20"))
}

on_both_terraforms_and_profiles!(rule_group_official_examples_live_their_lifecycle);

fn rule_group_official_examples_live_their_lifecycle(tf: &Terraform, profile: &str) {
    let emu = Emulator::start(&["--grafana-version", profile]);
    let w = Workdir::new(tf);
    w.config(&emu, EXAMPLE);
    w.init();
    w.apply().assert_summary("2 added, 0 changed, 0 destroyed");
    let folder = w.state()["grafana_folder.rule_folder"]["uid"].as_str().unwrap().to_string();
    let path = group_path(&folder, "My Rule Group");
    let (status, held) = emu.grafana("GET", &path, None);
    assert_eq!(status, 200);
    let rule = &held["rules"][0];
    assert_eq!((held["interval"].as_i64(), rule["for"].as_str()), (Some(240), Some("2m")));
    assert_eq!(rule["data"][1]["model"]["conditions"][0]["evaluator"]["params"], json!([3]));
    assert_eq!(rule["provenance"], "api", "provisioned by default");
    w.assert_plan_empty("the official example");
    let id = format!("1:{folder}:My Rule Group");
    assert_eq!(w.state()["grafana_rule_group.my_alert_rule"]["id"], id.as_str());

    // The interval changed in Grafana is drift: one change, healed by the next apply.
    let mut edited = held.clone();
    edited["interval"] = json!(60);
    assert_eq!(emu.grafana("PUT", &path, Some(edited)).0, 200);
    let r = w.plan(&[]);
    assert!(r.stdout.lines().any(|l| l.trim() == "Plan: 0 to add, 1 to change, 0 to destroy."), "{r:?}");
    let words = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(r.stdout.lines().any(|l| words(l) == "~ interval_seconds = 60 -> 240"), "{r:?}");
    w.apply().assert_summary("0 added, 1 changed, 0 destroyed");
    assert_eq!(emu.grafana("GET", &path, None).1["interval"], 240);
    w.assert_plan_empty("after healing the drift");

    // Imported by the official id `folderUID:title`: an empty plan.
    w.ok(&["state", "rm", "grafana_rule_group.my_alert_rule"]);
    w.ok(&["import", "-no-color", "grafana_rule_group.my_alert_rule", &format!("{folder}:My Rule Group")]);
    w.assert_plan_empty("after the import");

    // `_acc_reparent_folder.tf`: the group moves to another folder, which replaces it.
    w.config(&emu, REPARENT);
    w.apply().assert_summary("2 added, 0 changed, 1 destroyed");
    assert_eq!(emu.grafana("GET", &path, None).0, 404);
    assert_eq!(emu.grafana("GET", &group_path("test-uid", "My Rule Group"), None).0, 200);
    w.assert_plan_empty("after the move to another folder");

    // The model normalisation configuration in its place: the first folder renamed, the other
    // and its group gone, three groups whose models Grafana fills with its defaults; then
    // nothing to do.
    w.config(&emu, NORMALIZATION);
    w.apply().assert_summary("3 added, 1 changed, 2 destroyed");
    let held = emu.grafana("GET", &group_path(&folder, "My Rule Group 2"), None).1;
    assert_eq!(held["rules"][0]["data"][0]["model"]["intervalMs"], 1000, "Grafana's default added");
    w.assert_plan_empty("the model normalisation configuration");

    w.ok(&["destroy", "-auto-approve", "-no-color"]).assert_summary("4 destroyed");
    assert_eq!(emu.held("alert_rules"), 0);
    assert_eq!(emu.held("folders"), 0);
}

on_both_terraforms!(a_folder_holding_rules_terraform_does_not_manage_is_kept_and_the_error_says_why);

fn a_folder_holding_rules_terraform_does_not_manage_is_kept_and_the_error_says_why(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    w.config(&emu, "resource \"grafana_folder\" \"alerts\" {\n  uid   = \"alerts\"\n  title = \"Alerts\"\n}\n");
    w.init();
    w.apply().assert_summary("1 added, 0 changed, 0 destroyed");
    // A rule group made in Grafana's UI, in the folder.
    let group = json!({"interval": 60, "rules": [{"title": "Made by hand", "condition": "A", "noDataState": "NoData",
        "execErrState": "Alerting", "for": "0s", "data": [{"refId": "A", "datasourceUid": "__expr__",
        "relativeTimeRange": {"from": 0, "to": 0}, "model": {"refId": "A", "type": "math", "expression": "1"}}]}]});
    assert_eq!(emu.grafana("PUT", &group_path("alerts", "Manual"), Some(group)).0, 200);
    let r = w.run(&["destroy", "-auto-approve", "-no-color"]);
    assert_ne!(r.code, 0);
    let said = r.stderr.replace('\n', " ");
    assert!(said.contains("Folder holds alert rules") && said.contains("grafana_rule_group"), "{r:?}");
    assert_eq!((emu.held("folders"), emu.held("alert_rules")), (1, 1), "nothing deleted");
}

on_both_terraforms!(the_official_multi_rule_configurations_add_and_take_away_rules_keeping_uids);

/// `_acc_multi_rule_group.tf`, then `_added` (a third rule; `60m` written `1h`, `6d` written
/// `144h`), then `_subtracted` (back to two; `6d` written `8640m`): one change each, the kept
/// rules keep their uids, and no plan shows durations of the same length as a change.
fn the_official_multi_rule_configurations_add_and_take_away_rules_keeping_uids(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    w.config(&emu, MULTI);
    w.init();
    w.apply().assert_summary("2 added, 0 changed, 0 destroyed");
    let folder = w.state()["grafana_folder.compound_rule_folder"]["uid"].as_str().unwrap().to_string();
    let path = group_path(&folder, "My Multi-Alert Rule Group");
    let rules = || emu.grafana("GET", &path, None).1["rules"].as_array().cloned().unwrap_or_default();
    let uids = || rules().iter().map(|r| r["uid"].as_str().unwrap_or_default().to_string()).collect::<Vec<_>>();
    assert_eq!(rules().iter().map(|r| r["for"].clone()).collect::<Vec<_>>(), [json!("1h"), json!("6d")]);
    let two = uids();
    w.assert_plan_empty("two rules");

    w.config(&emu, MULTI_ADDED);
    w.apply().assert_summary("0 added, 1 changed, 0 destroyed");
    let three = uids();
    assert_eq!((three.len(), &three[..2]), (3, &two[..]), "the first two keep their uids");
    w.assert_plan_empty("three rules");

    w.config(&emu, MULTI_SUBTRACTED);
    w.apply().assert_summary("0 added, 1 changed, 0 destroyed");
    assert_eq!(uids(), two);
    w.assert_plan_empty("8640m is 6d");

    w.ok(&["destroy", "-auto-approve", "-no-color"]).assert_summary("2 destroyed");
    assert_eq!(emu.held("alert_rules"), 0);
}
