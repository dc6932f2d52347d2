//! `grafana_folder` end to end, following terraform-plugin-testing's script: apply → empty
//! plan → empty refresh-only plan → import (CLI, import block, identity block) with a no-op
//! plan → update → drift → out-of-band delete → destroy.

use serde_json::json;

use crate::support::{Emulator, GrafanaAdmin, Terraform, Workdir};

on_both_terraforms!(
    folder_lifecycle,
    folder_bad_input_fails_at_plan_and_writes_nothing,
    folder_nesting_refused_on_grafana_10_4,
    folder_data_source,
    folder_over_tls_with_ca_cert,
    folder_survives_lost_responses,
    grafana_version_comes_from_frontend_settings,
);

const TWO_FOLDERS: &str = r#"
resource "grafana_folder" "parent" {
  title = "Team A"
}

resource "grafana_folder" "child" {
  title             = "Child"
  uid               = "child-1"
  parent_folder_uid = grafana_folder.parent.uid
}
"#;

fn folder_lifecycle(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    w.config(&emu, TWO_FOLDERS);
    w.init();

    // Create.
    let r = w.apply();
    r.assert_summary("2 added, 0 changed, 0 destroyed");
    assert_eq!(emu.held("folders"), 2);
    let state = w.state();
    let parent_uid = state["grafana_folder.parent"]["uid"].as_str().expect("generated uid").to_string();
    assert_eq!(parent_uid.len(), 26, "Grafana generates 26-character uids: {parent_uid}");
    let (status, child) = emu.grafana("GET", "/api/folders/child-1", None);
    assert_eq!(status, 200);
    assert_eq!(child["title"], "Child");
    assert_eq!(child["parentUid"], parent_uid.as_str());
    assert_eq!(state["grafana_folder.child"]["url"], format!("{}/dashboards/f/child-1/child", emu.grafana_url));
    assert_eq!(state["grafana_folder.child"]["prevent_destroy_if_not_empty"], false);
    w.assert_plan_empty("after create");

    // Import with the CLI: same state, then a no-op plan.
    w.ok(&["state", "rm", "grafana_folder.child"]);
    let r = w.ok(&["import", "-no-color", "grafana_folder.child", "child-1"]);
    assert!(r.stdout.contains("Import successful!"), "{r:?}");
    assert_eq!(
        w.state()["grafana_folder.child"],
        state["grafana_folder.child"],
        "imported state differs from created state"
    );
    // A plain plan, as terraform-plugin-testing's import step: Terraform 1.11's refresh-only plan
    // exits 2 here with "No changes", because `terraform import` records no dependencies.
    let r = w.plan(&[]);
    assert_eq!(r.code, 0, "plan after terraform import is not empty: {r:?}");

    // Import block: the plan imports with no change.
    w.ok(&["state", "rm", "grafana_folder.child"]);
    w.write("import.tf", "import {\n  to = grafana_folder.child\n  id = \"1:child-1\"\n}\n");
    expect_noop_import(&w, "grafana_folder.child");
    w.remove("import.tf");

    // Identity: in state on Terraform ≥ 1.12, and `import { identity = {…} }` works.
    if tf.has_identity() {
        let st = w.show_json(None);
        let child = st["values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"] == "grafana_folder.child")
            .cloned()
            .unwrap();
        assert_eq!(child["identity"], json!({"uid": "child-1"}), "{child}");
        w.ok(&["state", "rm", "grafana_folder.child"]);
        w.write("import.tf", "import {\n  to       = grafana_folder.child\n  identity = { uid = \"child-1\" }\n}\n");
        expect_noop_import(&w, "grafana_folder.child");
        w.remove("import.tf");
    }
    w.assert_plan_empty("after the imports");

    // Update in place: rename, then move to the root (Grafana 12.4 has nested folders).
    w.config(&emu, &TWO_FOLDERS.replace("title             = \"Child\"", "title             = \"Child renamed\""));
    let r = w.apply();
    r.assert_summary("0 added, 1 changed, 0 destroyed");
    assert_eq!(emu.grafana("GET", "/api/folders/child-1", None).1["title"], "Child renamed");
    w.assert_plan_empty("after rename");
    w.config(&emu, &TWO_FOLDERS.replace("  parent_folder_uid = grafana_folder.parent.uid\n", ""));
    let r = w.apply();
    r.assert_summary("0 added, 1 changed, 0 destroyed");
    let (_, moved) = emu.grafana("GET", "/api/folders/child-1", None);
    assert!(moved.get("parentUid").is_none(), "folder not moved to the root: {moved}");
    w.assert_plan_empty("after move");

    // Drift: a rename in Grafana shows as a change of that folder's title only.
    let (s, _) =
        emu.grafana("PUT", "/api/folders/child-1", Some(json!({"title": "Renamed in the UI", "overwrite": true})));
    assert_eq!(s, 200);
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "drift not shown: {r:?}");
    assert!(r.stdout.contains(r#"~ title                        = "Renamed in the UI" -> "Child""#), "{r:?}");
    assert!(r.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{r:?}");
    w.apply();
    assert_eq!(emu.grafana("GET", "/api/folders/child-1", None).1["title"], "Child");

    // Out-of-band delete: removed from state with a warning, and planned for creation.
    let (s, _) = emu.grafana("DELETE", "/api/folders/child-1", None);
    assert_eq!(s, 200);
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.contains("# grafana_folder.child will be created"), "{r:?}");
    assert!(r.all().contains("grafana_folder no longer exists in Grafana"), "no warning: {r:?}");
    w.apply();
    assert_eq!(emu.grafana("GET", "/api/folders/child-1", None).0, 200);
    w.assert_plan_empty("after re-create");

    // Destroy leaves nothing, in Grafana or in state.
    let r = w.ok(&["destroy", "-auto-approve", "-no-color"]);
    r.assert_summary("2 destroyed");
    assert_eq!(emu.held("folders"), 0);
    assert_eq!(w.state(), json!({}));
}

/// Plans with an import block and checks the plan imports with a no-op, then applies it.
pub fn expect_noop_import(w: &Workdir, address: &str) {
    w.ok(&["plan", "-out=import.plan", "-input=false", "-no-color"]);
    let plan = w.show_json(Some("import.plan"));
    let change = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == address)
        .cloned()
        .expect("change for the import");
    assert_eq!(change["change"]["actions"], json!(["no-op"]), "{change}");
    assert!(change["change"]["importing"].is_object(), "not importing: {change}");
    let r = w.ok(&["apply", "-no-color", "import.plan"]);
    assert!(r.stdout.contains("1 imported"), "{r:?}");
}

fn folder_bad_input_fails_at_plan_and_writes_nothing(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    w.config(
        &emu,
        r#"
resource "grafana_folder" "blank" {
  title = "   "
}

resource "grafana_folder" "bad_uid" {
  title = "Fine"
  uid   = "no spaces allowed"
}

resource "grafana_folder" "long_uid" {
  title = "Fine too"
  uid   = "a-uid-that-is-far-longer-than-forty-characters"
}
"#,
    );
    w.init();
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    let err = r.stderr.clone();
    assert!(
        err.contains("Folder title is blank")
            && err.contains("with grafana_folder.blank")
            && err.contains("title = \"   \""),
        "{err}"
    );
    assert!(err.contains("Invalid folder uid") && err.contains("contains ' '"), "{err}");
    assert!(err.contains("Grafana allows at most 40"), "{err}");
    assert_eq!(emu.writes(), 0, "a write reached Grafana: {}", emu.stats());
    assert_eq!(emu.held("folders"), 0);
}

fn folder_nesting_refused_on_grafana_10_4(tf: &Terraform) {
    let emu = Emulator::start(&["--grafana-version", "10.4"]);
    let w = Workdir::new(tf);
    w.config(&emu, TWO_FOLDERS);
    w.init();
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("Nested folders are not available"), "{r:?}");
    assert!(
        r.stderr.contains("parent_folder_uid = grafana_folder.parent.uid")
            || r.stderr.contains("with grafana_folder.child"),
        "{r:?}"
    );
    assert_eq!(emu.writes(), 0, "{}", emu.stats());
    // Without nesting, folders work on 10.4, and the second plan is empty.
    w.config(&emu, &TWO_FOLDERS.replace("  parent_folder_uid = grafana_folder.parent.uid\n", ""));
    w.apply();
    assert_eq!(emu.held("folders"), 2);
    w.assert_plan_empty("10.4 folders");
    w.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(emu.held("folders"), 0);
}

fn folder_data_source(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let (s, _) = emu.grafana("POST", "/api/folders", Some(json!({"title": "Shared", "uid": "shared"})));
    assert_eq!(s, 200);
    let w = Workdir::new(tf);
    w.config(
        &emu,
        r#"
data "grafana_folder" "by_uid" {
  uid = "shared"
}
data "grafana_folder" "by_title" {
  title = "Shared"
}
output "title" {
  value = data.grafana_folder.by_uid.title
}
output "uid" {
  value = data.grafana_folder.by_title.uid
}
"#,
    );
    w.init();
    w.apply();
    let out: serde_json::Value = serde_json::from_str(&w.ok(&["output", "-json"]).stdout).unwrap();
    assert_eq!(out["title"]["value"], "Shared");
    assert_eq!(out["uid"]["value"], "shared");
    // Neither or both of uid and title: a plan-time error on the data source.
    w.config(&emu, "data \"grafana_folder\" \"x\" {\n}\n");
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("Set exactly one of uid and title"), "{r:?}");
    w.config(&emu, "data \"grafana_folder\" \"x\" {\n  title = \"Missing\"\n}\n");
    let r = w.plan(&[]);
    assert!(r.code == 1 && r.stderr.contains("No folder is titled \"Missing\""), "{r:?}");
}

fn folder_over_tls_with_ca_cert(tf: &Terraform) {
    let emu = Emulator::start(&["--tls"]);
    assert!(emu.grafana_url.starts_with("https://"), "{}", emu.grafana_url);
    let ca = emu.ca_cert_file.clone().expect("ca_cert_file with --tls");
    let w = Workdir::new(tf);
    let body = "resource \"grafana_folder\" \"f\" {\n  title = \"Over TLS\"\n}\n";
    // Without the CA, verification fails and says so.
    w.config(&emu, body);
    w.init();
    let r = w.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("Could not create folder") && r.stderr.to_lowercase().contains("certificate"), "{r:?}");
    assert_eq!(emu.held("folders"), 0);
    assert!(w.state().as_object().is_none_or(|m| m.is_empty()), "nothing was sent, nothing recorded");
    // http:// to an https-only Grafana: the error says which scheme, and nothing is recorded.
    let plain = format!(
        "provider \"grafana\" {{\n  url  = \"{}\"\n  auth = \"{}\"\n}}\n",
        emu.grafana_url.replacen("https://", "http://", 1),
        emu.admin_token
    );
    w.write("main.tf", &format!("{}\n{plain}\n{body}", crate::support::REQUIRED));
    let r = w.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let err = r.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(err.contains("the `url` must start with https://"), "{err}");
    assert!(!err.contains("tainted"), "a request that never reached Grafana is not a maybe-create: {err}");
    assert!(w.state().as_object().is_none_or(|m| m.is_empty()));
    assert_eq!(emu.held("folders"), 0);
    // With the CA (a file path here), it works.
    let provider = format!(
        "provider \"grafana\" {{\n  url     = \"{}\"\n  auth    = \"{}\"\n  ca_cert = \"{}\"\n}}\n",
        emu.grafana_url, emu.admin_token, ca
    );
    w.write("main.tf", &format!("{}\n{provider}\n{body}", crate::support::REQUIRED));
    w.apply();
    assert_eq!(emu.held("folders"), 1);
    w.assert_plan_empty("over TLS");
}

/// With every response to a write lost (`--drop-rate 1`: applied, then the connection closes),
/// create (with a configured uid), rename, move and delete still end right.
fn folder_survives_lost_responses(tf: &Terraform) {
    let emu = Emulator::start(&["--drop-rate", "1", "--seed", "5"]);
    let w = Workdir::new(tf);
    let cfg = |title: &str, nested: bool| {
        format!(
            "resource \"grafana_folder\" \"p\" {{\n  title = \"Parent\"\n  uid   = \"p\"\n}}\nresource \"grafana_folder\" \"c\" {{\n  title = \"{title}\"\n  uid   = \"c\"\n{}}}\n",
            if nested { "  parent_folder_uid = grafana_folder.p.uid\n" } else { "" }
        )
    };
    w.config(&emu, &cfg("Child", false));
    w.init();
    w.apply();
    assert_eq!(emu.held("folders"), 2);
    w.config(&emu, &cfg("Child renamed", true));
    w.apply();
    let (_, c) = emu.grafana("GET", "/api/folders/c", None);
    assert_eq!((c["title"].as_str(), c["parentUid"].as_str()), (Some("Child renamed"), Some("p")));
    w.assert_plan_empty("after lost responses");
    w.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(emu.held("folders"), 0);
}

/// AMG refuses `GET /api/health` (`400 Bad Request: Not allowed.`), and so does amg-local: the
/// version that decides the nested-folder rules must come from `/api/frontend/settings`.
fn grafana_version_comes_from_frontend_settings(tf: &Terraform) {
    // 12.4: nested folders apply, having asked the version the AMG way, never /api/health.
    let emu = Emulator::start(&["--grafana-version", "12.4"]);
    let w = Workdir::new(tf);
    w.config(&emu, TWO_FOLDERS);
    w.init();
    w.apply();
    let parent = w.state()["grafana_folder.parent"]["uid"].clone();
    assert!(parent.is_string());
    assert_eq!(emu.grafana("GET", "/api/folders/child-1", None).1["parentUid"], parent);
    assert!(emu.count("GET", Some("/api/frontend/settings")) >= 1, "{}", emu.stats());
    assert_eq!(emu.count("GET", Some("/api/health")), 0, "{}", emu.stats());
    w.ok(&["destroy", "-auto-approve", "-no-color"]);

    // 10.4: the same configuration is refused at plan, from the version frontend settings gave.
    let emu = Emulator::start(&["--grafana-version", "10.4"]);
    w.config(&emu, TWO_FOLDERS);
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("Nested folders are not available"), "{r:?}");
    assert!(emu.count("GET", Some("/api/frontend/settings")) >= 1, "{}", emu.stats());
    assert_eq!(emu.count("GET", Some("/api/health")), 0, "{}", emu.stats());
    assert_eq!(emu.writes(), 0);

    // When the version cannot be had, the diagnostic names the URL and Grafana's status.
    let bad = r#"provider "grafana" {
  url  = "URL"
  auth = "glsa_not_a_real_token_00000000"
}
"#
    .replace("URL", &emu.grafana_url);
    w.write("main.tf", &format!("{}\n{bad}\n{TWO_FOLDERS}", crate::support::REQUIRED));
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    let err = r.stderr.replace(['\n', '│'], " ");
    let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(err.contains("Could not read the Grafana version"), "{err}");
    assert!(err.contains(&format!("{}/api/frontend/settings", emu.grafana_url)), "{err}");
    assert!(err.contains("401") && err.contains("Invalid API key"), "{err}");
    assert!(!err.contains("glsa_not_a_real_token"), "the token leaked: {err}");
}

on_both_terraforms!(official_folder_example_with_id_and_org_id);

/// The official provider's documentation example for `grafana_folder` passes the folder's `id`
/// (`<orgID>:<uid>`) to a dashboard's `folder`; it applies unchanged and plans nothing after.
/// `org_id` accepts AMG's one organisation and refuses any other at plan.
fn official_folder_example_with_id_and_org_id(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    let example = |org: &str| {
        format!(
            r#"
resource "grafana_folder" "my_folder" {{
  title = "Terraform Test Folder"{org}
}}

resource "grafana_dashboard" "test_folder" {{
  folder = grafana_folder.my_folder.id
  config_json = jsonencode({{
    "title" : "My Dashboard Title",
    "uid" : "my-dashboard-uid"
    // ... other dashboard properties
  }})
}}
"#
        )
    };
    w.config(&emu, &example(""));
    w.init();
    w.apply();
    let state = w.state();
    let folder_uid = state["grafana_folder.my_folder"]["uid"].as_str().unwrap().to_string();
    assert_eq!(state["grafana_folder.my_folder"]["id"], format!("1:{folder_uid}"));
    assert_eq!(state["grafana_folder.my_folder"]["org_id"], "1");
    assert_eq!(state["grafana_dashboard.test_folder"]["id"], "1:my-dashboard-uid");
    let (_, d) = emu.grafana("GET", "/api/dashboards/uid/my-dashboard-uid", None);
    assert_eq!(d["meta"]["folderUid"], folder_uid.as_str());
    w.assert_plan_empty("the official example");
    // `org_id` naming the one organisation plans nothing; another is refused at plan.
    w.config(&emu, &example("\n  org_id = \"1\""));
    w.assert_plan_empty("org_id = 1");
    let writes = emu.writes();
    w.config(&emu, &example("\n  org_id = \"2\""));
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("Unsupported organisation") && r.stderr.contains("one organisation, 1"), "{r:?}");
    assert_eq!(emu.writes(), writes);
    // The folder uid itself names the same folder: no change either.
    w.config(&emu, &example("").replace("grafana_folder.my_folder.id", "grafana_folder.my_folder.uid"));
    w.assert_plan_empty("folder by uid instead of id");
    // The lookups carry the official id too; an `org_id` other than 1 is refused there as well.
    let lookup = |org: &str| {
        format!(
            "{}\ndata \"grafana_folder\" \"f\" {{\n  uid = grafana_folder.my_folder.uid{org}\n}}\n\noutput \"folder_id\" {{\n  value = data.grafana_folder.f.id\n}}\n",
            example("").replace("grafana_folder.my_folder.id", "grafana_folder.my_folder.uid")
        )
    };
    w.config(&emu, &lookup(""));
    w.apply();
    let out: serde_json::Value = serde_json::from_str(&w.ok(&["output", "-json"]).stdout).unwrap();
    assert_eq!(out["folder_id"]["value"], format!("1:{folder_uid}"));
    w.config(&emu, &lookup("\n  org_id = \"7\""));
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("Unsupported organisation"), "{r:?}");
    w.config(&emu, &lookup(""));
    w.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(emu.held("dashboards"), 0);
}
