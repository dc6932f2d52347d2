//! Access on AMG under real Terraform: users come from single sign-on, so `data "grafana_user"`
//! finds one who signed in, a `grafana_user` resource is refused at plan with nothing written,
//! and a `grafana_team` holds members who signed in, by email.

use serde_json::Value;

use crate::support::{Emulator, Terraform, Workdir};

on_both_terraforms!(users_are_looked_up_never_made);

fn users_are_looked_up_never_made(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let id = emu.sign_in("alice", "alice@example.com", "Alice", "Editor");
    let w = Workdir::new(tf);
    w.config(
        &emu,
        r#"data "grafana_user" "alice" {
  email = "alice@example.com"
}

output "alice" {
  value = { id = data.grafana_user.alice.user_id, login = data.grafana_user.alice.login, role = data.grafana_user.alice.role }
}
"#,
    );
    w.init();
    w.apply().assert_summary("0 added, 0 changed, 0 destroyed");
    let out: Value = serde_json::from_str(&w.ok(&["output", "-json"]).stdout).unwrap();
    assert_eq!(out["alice"]["value"], serde_json::json!({"id": id, "login": "alice", "role": "Editor"}));
    w.assert_plan_empty("a lookup");

    // The official provider's `grafana_user`: refused at plan, naming single sign-on; nothing written.
    let writes = emu.writes();
    w.config(
        &emu,
        r#"resource "grafana_user" "staff" {
  email    = "staff.name@example.com"
  name     = "Staff Name"
  login    = "staff"
  password = "my-password"
  is_admin = true
}
"#,
    );
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    let said = r.all().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(said.contains("AMG users come from single sign-on") && said.contains("IAM Identity Center"), "{r:?}");
    assert!(!said.contains("my-password"), "the password stays out of the output (the error points at `email`)");
    assert_eq!(emu.writes(), writes, "nothing written");
}

on_both_terraforms!(a_team_with_two_members_by_email_plans_nothing_after);

fn a_team_with_two_members_by_email_plans_nothing_after(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let alice = emu.sign_in("alice", "alice@example.com", "Alice", "Editor");
    let bob = emu.sign_in("bob", "bob@example.com", "Bob", "Viewer");
    let w = Workdir::new(tf);
    w.config(
        &emu,
        r#"resource "grafana_team" "sre" {
  name    = "SRE"
  members = ["alice@example.com", "bob@example.com"]
}
"#,
    );
    w.init();
    w.apply().assert_summary("1 added, 0 changed, 0 destroyed");
    let team = w.state()["grafana_team.sre"]["team_id"].as_i64().expect("team_id");
    let (_, held) = emu.api("GET", &format!("/api/teams/{team}/members"), None);
    let ids: Vec<i64> = held.as_array().unwrap().iter().map(|m| m["userId"].as_i64().unwrap()).collect();
    assert_eq!(ids, [alice, bob]);
    w.assert_plan_empty("a team with two members");

    // Imported by the official id, then an empty plan.
    w.ok(&["state", "rm", "grafana_team.sre"]);
    w.ok(&["import", "-no-color", "grafana_team.sre", &format!("1:{team}")]);
    w.assert_plan_empty("after the import");
    w.ok(&["destroy", "-auto-approve", "-no-color"]).assert_summary("1 destroyed");
    assert_eq!(emu.held("teams"), 0);
}
