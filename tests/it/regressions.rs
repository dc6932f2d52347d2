//! Regression tests for the ways to lose or share a dashboard or folder that adversarial runs
//! found (issue "Six ways to lose or share a dashboard or folder"), each named after its bug
//! and asserting on what Grafana holds (counts, ids, versions), not only on exit codes.

use serde_json::{Value, json};

use crate::support::{Emulator, GrafanaAdmin, Terraform, Workdir};

on_both_terraforms!(
    b1_identical_uidless_dashboards_never_share_one_dashboard,
    b1_an_existing_uid_is_never_taken_over_without_overwrite,
    b2_uidless_folders_are_created_once_under_lost_responses,
    b2_uidless_folders_converge_under_faults_on_grafana_10_4,
    b3_folder_title_whitespace_causes_no_diff_and_no_replacement,
    b4_dashboard_moved_out_of_a_destroyed_folder_keeps_id_and_history,
    b4_dashboard_moved_out_of_a_replaced_folder_keeps_id_and_history,
    b5_uid_unknown_at_plan_that_changes_at_apply,
    b6_overwrite_with_a_title_clash_on_10_4_touches_no_other_dashboard,
    folder_rename_in_grafana_between_plan_and_apply_is_not_lost,
);

fn dashboard(emu: &Emulator, uid: &str) -> Value {
    let (s, b) = emu.grafana("GET", &format!("/api/dashboards/uid/{uid}"), None);
    assert_eq!(s, 200, "dashboard {uid}: {b}");
    b
}

fn uid_of(w: &Workdir, address: &str) -> String {
    w.state()[address]["uid"].as_str().unwrap_or_else(|| panic!("{address} has no uid")).to_string()
}

/// Applies until it succeeds, at most `tries` times. A failed apply must have failed of the
/// faults the emulator injects (a lost answer that could not be confirmed, a 5xx or 429 left
/// after the retries, a connection closed), never of anything else, which retrying would hide.
fn apply_until_ok(w: &Workdir, tries: usize) -> usize {
    for n in 1..=tries {
        let r = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        if r.code == 0 {
            return n;
        }
        let errors = r.stderr.replace('\n', " ");
        let of_a_fault = ["Could not confirm that the", "Grafana answered 5", "Grafana answered 429", " failed: "]
            .iter()
            .any(|f| errors.contains(f));
        assert!(
            of_a_fault && !errors.contains("Internal error"),
            "apply {n} failed of something else than a fault: {r:?}"
        );
        assert!(n < tries, "apply failed {tries} times: {r:?}");
    }
    unreachable!()
}

const TWINS: &str = r#"
resource "grafana_folder" "f1" {
  title = "Twins one"
}
resource "grafana_folder" "f2" {
  title = "Twins two"
}
resource "grafana_dashboard" "a" {
  config_json = jsonencode({ title = "Twin", panels = [] })
}
resource "grafana_dashboard" "b" {
  config_json = jsonencode({ title = "Twin", panels = [] })
}
resource "grafana_dashboard" "c" {
  folder      = grafana_folder.f1.uid
  config_json = jsonencode({ title = "Twin", panels = [] })
}
resource "grafana_dashboard" "d" {
  folder      = grafana_folder.f2.uid
  config_json = jsonencode({ title = "Twin", panels = [] })
}
"#;

fn b1_identical_uidless_dashboards_never_share_one_dashboard(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    w.config(&emu, TWINS);
    w.init();
    let r = w.apply();
    r.assert_summary("6 added, 0 changed, 0 destroyed");
    assert_eq!(emu.held("dashboards"), 4, "each resource has its own dashboard");
    let uids: Vec<String> =
        ["a", "b", "c", "d"].iter().map(|n| uid_of(&w, &format!("grafana_dashboard.{n}"))).collect();
    let mut distinct = uids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "{uids:?}");
    w.assert_plan_empty("twins");

    // A change to one leaves the other alone.
    w.config(
        &emu,
        &TWINS.replacen("{ title = \"Twin\", panels = [] }", "{ title = \"Twin\", panels = [], tags = [\"a\"] }", 1),
    );
    w.apply();
    assert_eq!(dashboard(&emu, &uids[0])["meta"]["version"], 2);
    assert_eq!(dashboard(&emu, &uids[1])["meta"]["version"], 1, "the twin was not touched");
    w.assert_plan_empty("after changing one twin");

    // The same configuration in a second working directory makes its own dashboards.
    let w2 = Workdir::new(tf);
    w2.config(&emu, TWINS);
    w2.init();
    w2.apply();
    assert_eq!(emu.held("dashboards"), 8);

    // Destroying one twin leaves the other.
    let without_b = TWINS.replace(
        "resource \"grafana_dashboard\" \"b\" {\n  config_json = jsonencode({ title = \"Twin\", panels = [] })\n}\n",
        "",
    );
    assert_ne!(without_b, TWINS);
    w.config(&emu, &without_b);
    let r = w.apply();
    // b goes; a's tag, added above, goes too (this configuration is the original one).
    r.assert_summary("0 added, 1 changed, 1 destroyed");
    assert_eq!(emu.grafana("GET", &format!("/api/dashboards/uid/{}", uids[1]), None).0, 404);
    assert_eq!(dashboard(&emu, &uids[0])["dashboard"]["title"], "Twin");
    assert_eq!(emu.held("dashboards"), 7);
    w.ok(&["destroy", "-auto-approve", "-no-color"]);
    w2.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(emu.held("dashboards"), 0);
}

fn b1_an_existing_uid_is_never_taken_over_without_overwrite(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let cfg = |title: &str| {
        format!(
            "resource \"grafana_dashboard\" \"d\" {{\n  config_json = jsonencode({{ title = \"{title}\", uid = \"shared-uid\" }})\n}}\n"
        )
    };
    let w1 = Workdir::new(tf);
    w1.config(&emu, &cfg("First"));
    w1.init();
    w1.apply();
    // Another working directory, the same uid, the same content even: refused, not shared.
    for title in ["First", "Second"] {
        let w2 = Workdir::new(tf);
        w2.config(&emu, &cfg(title));
        w2.init();
        let r = w2.run(&["apply", "-auto-approve", "-no-color"]);
        assert_eq!(r.code, 1, "{r:?}");
        let err = r.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(err.contains("A dashboard with this uid already exists"), "{err}");
        assert!(err.contains("terraform import <address> shared-uid"), "{err}");
        assert!(w2.state().as_object().is_none_or(|m| m.is_empty()), "nothing recorded: {}", w2.state());
    }
    let d = dashboard(&emu, "shared-uid");
    assert_eq!((d["dashboard"]["title"].clone(), d["meta"]["version"].clone()), (json!("First"), json!(1)));
    assert_eq!(emu.held("dashboards"), 1);
}

fn ten_uidless_folders() -> String {
    (0..10).map(|i| format!("resource \"grafana_folder\" \"f{i}\" {{\n  title = \"Folder {i}\"\n}}\n")).collect()
}

fn b2_uidless_folders_are_created_once_under_lost_responses(tf: &Terraform) {
    let emu = Emulator::start(&["--drop-rate", "0.5", "--seed", "7"]);
    let w = Workdir::new(tf);
    w.config(&emu, &ten_uidless_folders());
    w.init();
    for _ in 0..3 {
        apply_until_ok(&w, 3);
    }
    assert_eq!(emu.held("folders"), 10, "{}", emu.stats());
    assert_eq!(w.state().as_object().map(|m| m.len()), Some(10));
    w.assert_plan_empty("ten folders after lost responses");
    for _ in 0..3 {
        if w.run(&["destroy", "-auto-approve", "-no-color"]).code == 0 {
            break;
        }
    }
    assert_eq!(emu.held("folders"), 0, "no orphans");
}

fn b2_uidless_folders_converge_under_faults_on_grafana_10_4(tf: &Terraform) {
    // Seed 3 is the issue's; with this provider's request order, seeds 1 and 2 are the ones
    // that lose a create's answer on the first apply (checked against the provider before the fix).
    for seed in ["3", "1", "2"] {
        let emu = Emulator::start(&[
            "--grafana-version",
            "10.4",
            "--fault-rate",
            "0.3",
            "--drop-rate",
            "0.2",
            "--seed",
            seed,
        ]);
        let w = Workdir::new(tf);
        w.config(&emu, &ten_uidless_folders());
        w.init();
        apply_until_ok(&w, 4);
        apply_until_ok(&w, 4);
        assert_eq!(emu.held("folders"), 10, "seed {seed}: {}", emu.stats());
        assert_eq!(w.state().as_object().map(|m| m.len()), Some(10), "seed {seed}");
        let mut empty = false;
        for _ in 0..4 {
            let r = w.plan(&[]);
            if r.code == 0 {
                empty = true;
                break;
            }
            assert_ne!(r.code, 2, "seed {seed}: the plan after converging is not empty: {r:?}");
        }
        assert!(empty, "seed {seed}: no plan succeeded under faults");
    }
}

fn b3_folder_title_whitespace_causes_no_diff_and_no_replacement(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    let cfg = |spaced: &str| {
        format!(
            r#"
resource "grafana_folder" "spaced" {{
  title = "{spaced}"
}}
resource "grafana_folder" "tabbed" {{
  title = "\tTabbed\t"
}}
resource "grafana_folder" "newline" {{
  title = "Newline\n"
}}
resource "grafana_dashboard" "inside" {{
  folder      = grafana_folder.spaced.uid
  config_json = jsonencode({{ title = "Inside", uid = "b3-inside" }})
}}
"#
        )
    };
    w.config(&emu, &cfg("  Spaced Folder  "));
    w.init();
    let r = w.apply();
    assert!(!r.all().contains("inconsistent"), "{r:?}");
    let folder_uid = uid_of(&w, "grafana_folder.spaced");
    assert_eq!(emu.grafana("GET", &format!("/api/folders/{folder_uid}"), None).1["title"], "Spaced Folder");
    assert_eq!(w.state()["grafana_folder.spaced"]["title"], "  Spaced Folder  ", "the configuration's text is kept");
    w.assert_plan_empty("titles with whitespace");
    w.apply();
    // Only the whitespace changes: nothing to do.
    w.config(&emu, &cfg("Spaced Folder "));
    w.assert_plan_empty("a whitespace-only title change");
    assert_eq!(uid_of(&w, "grafana_folder.spaced"), folder_uid, "never replaced");
    let d = dashboard(&emu, "b3-inside");
    assert_eq!((d["meta"]["folderUid"].as_str(), d["meta"]["version"].as_i64()), (Some(folder_uid.as_str()), Some(1)));
    assert_eq!(emu.held("folders"), 3);
    assert_eq!(emu.held("dashboards"), 1);
}

const B4_BEFORE: &str = r#"
resource "grafana_folder" "a" {
  title = "Folder A"
  uid   = "b4-a"
  prevent_destroy_if_not_empty = PREVENT
}
resource "grafana_folder" "b" {
  title = "Folder B"
  uid   = "b4-b"
}
resource "grafana_dashboard" "d" {
  folder      = grafana_folder.a.uid
  config_json = jsonencode({ title = "Moving", uid = "b4-d", panels = [{ id = 7, type = "text", title = "p" }] })
}
"#;

/// The configuration without folder `a`, its dashboard pointed at `b`.
fn without_folder_a(cfg: &str) -> String {
    let start = cfg.find("resource \"grafana_folder\" \"a\"").expect("folder a");
    let end = start + cfg[start..].find("}\n").expect("end of folder a") + 2;
    format!("{}{}", &cfg[..start], &cfg[end..]).replace("grafana_folder.a.uid", "grafana_folder.b.uid")
}

fn b4_dashboard_moved_out_of_a_destroyed_folder_keeps_id_and_history(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    w.config(&emu, &B4_BEFORE.replace("PREVENT", "false"));
    w.init();
    w.apply();
    let id = dashboard(&emu, "b4-d")["dashboard"]["id"].clone();
    // Folder A removed and the dashboard pointed at B, in one apply.
    let after = without_folder_a(&B4_BEFORE.replace("PREVENT", "false"));
    w.config(&emu, &after);
    let r = w.apply();
    r.assert_summary("0 added, 1 changed, 1 destroyed");
    let d = dashboard(&emu, "b4-d");
    assert_eq!(d["meta"]["folderUid"], "b4-b");
    assert_eq!(d["dashboard"]["id"], id, "the same dashboard, not a new one");
    assert!(d["meta"]["version"].as_i64().unwrap() >= 2, "history kept: {d}");
    assert_eq!(emu.grafana("GET", "/api/folders/b4-a", None).0, 404);
    assert_eq!(emu.held("dashboards"), 1);
    w.assert_plan_empty("after the move");

    // With prevent_destroy_if_not_empty the folder is kept and the error says why and what to do;
    // nothing is lost, and the dashboard still moves when done in two steps.
    let w2 = Workdir::new(tf);
    let before2 = B4_BEFORE.replace("b4-", "p4-").replace("PREVENT", "true");
    w2.config(&emu, &before2);
    w2.init();
    w2.apply();
    let id2 = dashboard(&emu, "p4-d")["dashboard"]["id"].clone();
    let after2 = without_folder_a(&before2);
    w2.config(&emu, &after2);
    let r = w2.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let err = r.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(err.contains("Folder is not empty") && err.contains("move them in one apply"), "{err}");
    assert_eq!(dashboard(&emu, "p4-d")["dashboard"]["id"], id2, "nothing deleted");
}

fn b4_dashboard_moved_out_of_a_replaced_folder_keeps_id_and_history(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    w.config(&emu, &B4_BEFORE.replace("PREVENT", "false"));
    w.init();
    w.apply();
    let id = dashboard(&emu, "b4-d")["dashboard"]["id"].clone();
    // A's uid changes: Terraform destroys A, creates its replacement, then updates the dashboard.
    w.config(&emu, &B4_BEFORE.replace("PREVENT", "false").replace("uid   = \"b4-a\"", "uid   = \"b4-a2\""));
    let r = w.apply();
    r.assert_summary("1 added, 1 changed, 1 destroyed");
    let d = dashboard(&emu, "b4-d");
    assert_eq!((d["meta"]["folderUid"].clone(), d["dashboard"]["id"].clone()), (json!("b4-a2"), id));
    assert!(d["meta"]["version"].as_i64().unwrap() >= 2);
    assert_eq!(emu.held("dashboards"), 1);
    w.assert_plan_empty("after the replacement of the folder");
}

fn b5_uid_unknown_at_plan_that_changes_at_apply(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    let cfg = |uid: &str| {
        format!(
            r#"
resource "terraform_data" "uid" {{
  input = "{uid}"
}}
resource "grafana_dashboard" "d" {{
  config_json = jsonencode({{ title = "Unknown uid", uid = terraform_data.uid.output }})
}}
"#
        )
    };
    w.config(&emu, &cfg("b5-one"));
    w.init();
    w.apply();
    assert_eq!(dashboard(&emu, "b5-one")["meta"]["version"], 1);
    w.config(&emu, &cfg("b5-two"));
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "{r:?}");
    let out = r.all().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(out.contains("The dashboard's uid is not known until apply") && out.contains("\"b5-one\""), "{out}");
    let r = w.apply();
    assert!(!r.all().contains("inconsistent"), "{r:?}");
    assert_eq!(dashboard(&emu, "b5-two")["dashboard"]["title"], "Unknown uid");
    assert_eq!(emu.grafana("GET", "/api/dashboards/uid/b5-one", None).0, 404);
    assert_eq!(emu.held("dashboards"), 1);
    assert_eq!(uid_of(&w, "grafana_dashboard.d"), "b5-two");
    w.assert_plan_empty("after the uid changed");
}

fn b6_overwrite_with_a_title_clash_on_10_4_touches_no_other_dashboard(tf: &Terraform) {
    let emu = Emulator::start(&["--grafana-version", "10.4"]);
    let w = Workdir::new(tf);
    let cfg = |one_title: &str| {
        format!(
            r#"
resource "grafana_folder" "f" {{
  title = "S2"
  uid   = "s2"
}}
resource "grafana_dashboard" "one" {{
  folder      = grafana_folder.f.uid
  overwrite   = true
  config_json = jsonencode({{ title = "{one_title}", uid = "s2-1" }})
}}
resource "grafana_dashboard" "two" {{
  folder      = grafana_folder.f.uid
  config_json = jsonencode({{ title = "Beta", uid = "s2-2" }})
}}
"#
        )
    };
    w.config(&emu, &cfg("Alpha"));
    w.init();
    w.apply();
    w.config(&emu, &cfg("Beta"));
    let r = w.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let err = r.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        err.contains("A dashboard with this title already exists in the folder") && err.contains("\"s2-2\""),
        "{err}"
    );
    let two = dashboard(&emu, "s2-2");
    assert_eq!((two["dashboard"]["title"].clone(), two["meta"]["version"].clone()), (json!("Beta"), json!(1)));
    let one = dashboard(&emu, "s2-1");
    assert_eq!((one["dashboard"]["title"].clone(), one["meta"]["version"].clone()), (json!("Alpha"), json!(1)));
    assert_eq!(uid_of(&w, "grafana_dashboard.one"), "s2-1");
    // The next apply still refuses (nothing recorded wrongly), and going back converges.
    assert_eq!(w.run(&["apply", "-auto-approve", "-no-color"]).code, 1);
    w.config(&emu, &cfg("Alpha"));
    w.assert_plan_empty("back to Alpha");
    assert_eq!(emu.held("dashboards"), 2);
}

fn folder_rename_in_grafana_between_plan_and_apply_is_not_lost(tf: &Terraform) {
    let emu = Emulator::start(&["--grafana-version", "10.4"]);
    let w = Workdir::new(tf);
    let cfg = |t: &str| format!("resource \"grafana_folder\" \"f\" {{\n  title = \"{t}\"\n  uid   = \"ren\"\n}}\n");
    w.config(&emu, &cfg("Ours"));
    w.init();
    w.apply();
    w.config(&emu, &cfg("Ours, renamed"));
    w.ok(&["plan", "-out=ren.plan", "-no-color"]);
    let (s, f) = emu.grafana("GET", "/api/folders/ren", None);
    assert_eq!(s, 200);
    let body = json!({"title": "Theirs", "version": f["version"], "overwrite": false});
    assert_eq!(emu.grafana("PUT", "/api/folders/ren", Some(body)).0, 200);
    let r = w.run(&["apply", "-no-color", "ren.plan"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("The folder changed in Grafana since Terraform read it"), "{r:?}");
    assert_eq!(emu.grafana("GET", "/api/folders/ren", None).1["title"], "Theirs", "their rename is kept");
    w.apply();
    assert_eq!(emu.grafana("GET", "/api/folders/ren", None).1["title"], "Ours, renamed");
}
