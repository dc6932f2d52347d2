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

on_both_terraforms!(folder_permission_official_example_with_a_user_who_signed_in);

/// `examples/resources/grafana_folder_permission/resource.tf` of grafana/terraform-provider-grafana
/// (MPL-2.0), with its `resource "grafana_user"` (which AMG cannot have) replaced by
/// `data "grafana_user"` of a user who signed in; everything else as written.
const FOLDER_PERMISSION_EXAMPLE: &str = r#"resource "grafana_team" "team" {
  name = "Team Name"
}

data "grafana_user" "user" {
  email = "user.name@example.com"
}

resource "grafana_folder" "collection" {
  title = "Folder Title"
}

resource "grafana_folder_permission" "collectionPermission" {
  folder_uid = grafana_folder.collection.uid
  permissions {
    role       = "Editor"
    permission = "Edit"
  }
  permissions {
    team_id    = grafana_team.team.id
    permission = "View"
  }
  permissions {
    user_id    = data.grafana_user.user.id
    permission = "Admin"
  }
}
"#;

fn folder_permission_official_example_with_a_user_who_signed_in(tf: &Terraform) {
    official_permission_example(tf, &[], FOLDER_PERMISSION_EXAMPLE, "grafana_folder.collection", "folders/{}");
}

on_both_terraforms!(dashboard_permission_official_example_with_a_user_who_signed_in);

/// `examples/resources/grafana_dashboard_permission/resource.tf` of
/// grafana/terraform-provider-grafana (MPL-2.0), with its `resource "grafana_user"` replaced by
/// `data "grafana_user"` of a user who signed in; everything else as written.
const DASHBOARD_PERMISSION_EXAMPLE: &str = r#"resource "grafana_team" "team" {
  name = "Team Name"
}

data "grafana_user" "user" {
  email = "user.name@example.com"
}

resource "grafana_dashboard" "metrics" {
  config_json = jsonencode({
    "title" : "My Dashboard",
    "uid" : "my-dashboard-uid"
  })
}

resource "grafana_dashboard_permission" "collectionPermission" {
  dashboard_uid = grafana_dashboard.metrics.uid
  permissions {
    role       = "Editor"
    permission = "Edit"
  }
  permissions {
    team_id    = grafana_team.team.id
    permission = "View"
  }
  permissions {
    user_id    = grafana_user.user.id
    permission = "Admin"
  }
}
"#;

fn dashboard_permission_official_example_with_a_user_who_signed_in(tf: &Terraform) {
    let example = DASHBOARD_PERMISSION_EXAMPLE.replace("grafana_user.user.id", "data.grafana_user.user.id");
    official_permission_example(tf, &[], &example, "grafana_dashboard.metrics", "dashboards/uid/{}");
}

on_both_terraforms!(permission_examples_where_grafana_serves_the_role_based_api);

/// The same two examples against a Grafana that serves `/api/access-control` (not AMG): the
/// provider asks once and goes through it.
fn permission_examples_where_grafana_serves_the_role_based_api(tf: &Terraform) {
    let example = DASHBOARD_PERMISSION_EXAMPLE.replace("grafana_user.user.id", "data.grafana_user.user.id");
    let emu = official_permission_example(
        tf,
        &["--access-control"],
        &example,
        "grafana_dashboard.metrics",
        "dashboards/uid/{}",
    );
    assert_eq!(emu.count("POST", Some("/api/dashboards/uid/:uid/permissions")), 1, "only the test's own drift");
    assert!(emu.count("POST", Some("/api/access-control/:resource/:uid")) >= 3);
    let emu = official_permission_example(
        tf,
        &["--access-control"],
        FOLDER_PERMISSION_EXAMPLE,
        "grafana_folder.collection",
        "folders/{}",
    );
    assert_eq!(emu.count("POST", Some("/api/folders/:uid/permissions")), 1, "only the test's own drift");
}

/// The official permission example of a folder or dashboard (`object`, its permissions at
/// `/api/<path>/permissions` with `{}` for its uid): Grafana holds exactly Editor=Edit,
/// team=View, user=Admin; drift is one change; import by uid plans nothing; destroying only the
/// permissions gives Grafana's defaults back.
fn official_permission_example(tf: &Terraform, args: &[&str], example: &str, object: &str, path: &str) -> Emulator {
    let emu = Emulator::start(args);
    let user = emu.sign_in("user.name", "user.name@example.com", "User Name", "Viewer");
    let w = Workdir::new(tf);
    w.config(&emu, example);
    w.init();
    w.apply().assert_summary("3 added, 0 changed, 0 destroyed");
    let state = w.state();
    let uid = state[object]["uid"].as_str().unwrap().to_string();
    let team = state["grafana_team.team"]["team_id"].as_i64().unwrap();
    let path = format!("/api/{}/permissions", path.replace("{}", &uid));
    let permission = format!("{}_permission.collectionPermission", object.split('.').next().unwrap());
    let held = || {
        let (_, items) = emu.api("GET", &path, None);
        let mut v: Vec<(String, i64, i64, i64)> = items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["role"].as_str().unwrap_or("").into(),
                    i["teamId"].as_i64().unwrap(),
                    i["userId"].as_i64().unwrap(),
                    i["permission"].as_i64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let want = vec![(String::new(), 0, user, 4), (String::new(), team, 0, 1), ("Editor".to_string(), 0, 0, 2)];
    assert_eq!(held(), want, "exactly Editor=Edit, team=View, user=Admin");
    w.assert_plan_empty("the example");

    // An extra grant made in Grafana shows as one change, and the apply takes it away.
    let mut items: Vec<Value> = want
        .iter()
        .map(|(r, t, u, p)| serde_json::json!({"role": r, "teamId": t, "userId": u, "permission": p}))
        .collect();
    items.push(serde_json::json!({"role": "Viewer", "permission": 1}));
    let body = serde_json::json!({ "items": items }).to_string();
    assert_eq!(emu.api("POST", &path, Some(&body)).0, 200);
    let r = w.plan(&[]);
    assert!(r.stdout.lines().any(|l| l.trim() == "Plan: 0 to add, 1 to change, 0 to destroy."), "{r:?}");
    w.apply().assert_summary("0 added, 1 changed, 0 destroyed");
    assert_eq!(held(), want);

    // Imported by uid, then an empty plan.
    w.ok(&["state", "rm", &permission]);
    w.ok(&["import", "-no-color", &permission, &uid]);
    w.assert_plan_empty("after the import");

    // Destroying only the permissions leaves the object with Grafana's defaults.
    w.ok(&["destroy", "-auto-approve", "-no-color", "-target", &permission]).assert_summary("1 destroyed");
    assert_eq!(held(), vec![("Editor".to_string(), 0, 0, 2), ("Viewer".to_string(), 0, 0, 1)]);
    w.ok(&["destroy", "-auto-approve", "-no-color"]).assert_summary("2 destroyed");
    emu
}
