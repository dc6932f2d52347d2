//! `grafana_dashboard` end to end against amg-local: real dashboards, exact plans, drift,
//! conflicts, folder moves that keep panel ids, inputs, validation with nothing written,
//! import and adoption, lost responses, a 1 MB dashboard.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::support::{Emulator, GrafanaAdmin, Terraform, Workdir};

on_both_terraforms_and_profiles!(
    dashboard_lifecycle,
    dashboard_conflict_names_the_existing_dashboard,
    dashboard_adoption_with_generate_config_out,
    dashboard_update_refuses_to_lose_a_concurrent_change,
    corpus_applies_with_an_empty_plan,
);

on_both_terraforms!(
    dashboard_bad_input_fails_at_plan_and_writes_nothing,
    dashboard_of_one_megabyte,
    dashboard_survives_lost_responses,
    dashboard_titles_unique_per_folder_on_10_4,
    dashboard_data_sources,
    dashboard_store_sha256_keeps_a_hash_and_still_shows_changes,
);

/// A dashboard with a collapsed row holding nested panels, as the folder-move check needs.
const MAIN: &str = r#"jsonencode({
    title = "Service overview"
    uid   = "svc"
    tags  = ["team-a"]
    panels = [
      { id = 1, type = "timeseries", title = "Requests", gridPos = { h = 8, w = 12, x = 0, y = 0 } },
      { id = 2, type = "row", title = "Details", collapsed = true, gridPos = { h = 1, w = 24, x = 0, y = 8 },
        panels = [
          { id = 7, type = "stat", title = "Errors", gridPos = { h = 4, w = 6, x = 0, y = 9 } },
          { id = 9, type = "table", title = "Slow calls", gridPos = { h = 4, w = 6, x = 6, y = 9 } }
        ] }
    ]
  })"#;

fn lifecycle_config(main_json: &str, folder: &str, extra: &str) -> String {
    format!(
        r#"
resource "grafana_folder" "a" {{
  title = "Team A"
  uid   = "team-a"
}}

resource "grafana_folder" "b" {{
  title = "Team B"
  uid   = "team-b"
}}

resource "grafana_dashboard" "main" {{
  folder      = grafana_folder.{folder}.uid
  config_json = {main_json}
}}

resource "grafana_dashboard" "other" {{
  config_json = jsonencode({{ title = "No uid here", panels = [] }})
}}
{extra}"#
    )
}

/// Every panel id in a dashboard, nested rows included, in order.
fn panel_ids(dash: &Value) -> Vec<i64> {
    fn walk(panels: &Value, out: &mut Vec<i64>) {
        for p in panels.as_array().into_iter().flatten() {
            out.extend(p["id"].as_i64());
            walk(&p["panels"], out);
        }
    }
    let mut out = Vec::new();
    walk(&dash["panels"], &mut out);
    out
}

fn dashboard_lifecycle(tf: &Terraform, profile: &str) {
    let emu = Emulator::start(&["--grafana-version", profile]);
    let w = Workdir::new(tf);
    w.config(&emu, &lifecycle_config(MAIN, "a", ""));
    w.init();

    // Create: one POST per dashboard, no read-back.
    let r = w.apply();
    r.assert_summary("4 added, 0 changed, 0 destroyed");
    assert_eq!(emu.count("POST", Some("/api/dashboards/db")), 2);
    assert_eq!(emu.count("GET", Some("/api/dashboards/uid/:uid")), 0, "no read-back after a save");
    let (s, got) = emu.grafana("GET", "/api/dashboards/uid/svc", None);
    assert_eq!(s, 200);
    assert_eq!(got["meta"]["folderUid"], "team-a");
    assert_eq!(panel_ids(&got["dashboard"]), vec![1, 2, 7, 9]);
    let state = w.state();
    let other_uid = state["grafana_dashboard.other"]["uid"].as_str().unwrap().to_string();
    assert!(other_uid.starts_with("tf") && other_uid.len() == 26, "chosen uid {other_uid}");
    assert_eq!(state["grafana_dashboard.main"]["url"], format!("{}/d/svc/service-overview", emu.grafana_url));
    assert_eq!(state["grafana_dashboard.main"]["version"], 1);
    assert_eq!(emu.grafana("GET", &format!("/api/dashboards/uid/{other_uid}"), None).0, 200);

    // Refresh costs one GET per dashboard.
    let gets = emu.count("GET", Some("/api/dashboards/uid/:uid"));
    w.assert_plan_empty("after create");
    assert_eq!(emu.count("GET", Some("/api/dashboards/uid/:uid")) - gets, 2, "one plan, two dashboards");

    // Same meaning, other text (whitespace, key order): no change.
    let reformatted = r#"<<-EOT
    {
      "uid": "svc", "tags": ["team-a"],
      "panels": [
        {"gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "title": "Requests", "type": "timeseries", "id": 1},
        {"collapsed": true, "id": 2, "type": "row", "title": "Details", "gridPos": {"h": 1, "w": 24, "x": 0, "y": 8},
         "panels": [{"id": 7, "type": "stat", "title": "Errors", "gridPos": {"h": 4, "w": 6, "x": 0, "y": 9}},
                    {"id": 9, "type": "table", "title": "Slow calls", "gridPos": {"h": 4, "w": 6, "x": 6, "y": 9}}]}
      ],
      "title": "Service overview", "id": 41, "version": 17
    }
    EOT"#;
    w.config(&emu, &lifecycle_config(reformatted, "a", ""));
    let r = w.plan(&[]);
    assert_eq!(r.code, 0, "a reformatted config_json (and stray id/version) must not plan a change: {r:?}");
    w.config(&emu, &lifecycle_config(MAIN, "a", ""));

    // Import: CLI, import block, identity block; each a no-op.
    w.ok(&["state", "rm", "grafana_dashboard.main"]);
    let r = w.ok(&["import", "-no-color", "grafana_dashboard.main", "svc"]);
    assert!(r.stdout.contains("Import successful!"), "{r:?}");
    let r = w.plan(&[]);
    assert_eq!(r.code, 0, "plan after terraform import is not empty: {r:?}");
    w.ok(&["state", "rm", "grafana_dashboard.main"]);
    w.write("import.tf", "import {\n  to = grafana_dashboard.main\n  id = \"svc\"\n}\n");
    crate::folder::expect_noop_import(&w, "grafana_dashboard.main");
    w.remove("import.tf");
    if tf.has_identity() {
        w.ok(&["state", "rm", "grafana_dashboard.main"]);
        w.write("import.tf", "import {\n  to       = grafana_dashboard.main\n  identity = { uid = \"svc\" }\n}\n");
        crate::folder::expect_noop_import(&w, "grafana_dashboard.main");
        w.remove("import.tf");
    }
    w.assert_plan_empty("after the imports");

    // Update in place: one POST, sending the version last seen, with its version message.
    let posts = emu.count("POST", Some("/api/dashboards/db"));
    let v2 = MAIN.replace("Service overview", "Service overview v2");
    w.config(
        &emu,
        &lifecycle_config(&v2, "a", "").replacen(
            "  folder      = grafana_folder.a.uid\n",
            "  folder      = grafana_folder.a.uid\n  message     = \"Renamed by Terraform\"\n",
            1,
        ),
    );
    let r = w.apply();
    r.assert_summary("0 added, 1 changed, 0 destroyed");
    assert_eq!(emu.count("POST", Some("/api/dashboards/db")) - posts, 1);
    let (_, got) = emu.grafana("GET", "/api/dashboards/uid/svc", None);
    assert_eq!(got["dashboard"]["title"], "Service overview v2");
    let (_, versions) = emu.grafana("GET", "/api/dashboards/uid/svc/versions", None);
    // 10.4 lists versions as an array; 12.4 as {continueToken, versions}.
    let latest = if profile == "10.4" { &versions[0] } else { &versions["versions"][0] };
    assert_eq!(latest["message"], "Renamed by Terraform", "{versions}");
    w.assert_plan_empty("after the update");

    // Folder move: in place, every panel id kept (nested ones in the collapsed row too).
    let before = panel_ids(&emu.grafana("GET", "/api/dashboards/uid/svc", None).1["dashboard"]);
    w.config(&emu, &lifecycle_config(&MAIN.replace("Service overview", "Service overview v2"), "b", ""));
    let r = w.apply();
    r.assert_summary("0 added, 1 changed, 0 destroyed");
    let (_, got) = emu.grafana("GET", "/api/dashboards/uid/svc", None);
    assert_eq!(got["meta"]["folderUid"], "team-b");
    assert_eq!(panel_ids(&got["dashboard"]), before, "panel ids changed in the move");
    assert_eq!(before, vec![1, 2, 7, 9]);
    w.assert_plan_empty("after the move");

    // Drift: an edit in Grafana shows as a readable change on that dashboard only.
    let mut edited = got["dashboard"].clone();
    edited["title"] = json!("Edited in the UI");
    let (s, _) = emu.grafana("POST", "/api/dashboards/db", Some(json!({"dashboard": edited, "folderUid": "team-b"})));
    assert_eq!(s, 200);
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.contains("# grafana_dashboard.main will be updated in-place"), "{r:?}");
    assert!(r.stdout.contains("Edited in the UI") && r.stdout.contains("Service overview v2"), "{r:?}");
    assert!(!r.stdout.contains("grafana_dashboard.other will"), "{r:?}");
    assert!(r.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{r:?}");
    w.apply();
    assert_eq!(emu.grafana("GET", "/api/dashboards/uid/svc", None).1["dashboard"]["title"], "Service overview v2");

    // Out-of-band delete: a warning, and a create planned.
    assert_eq!(emu.grafana("DELETE", &format!("/api/dashboards/uid/{other_uid}"), None).0, 200);
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.contains("# grafana_dashboard.other will be created"), "{r:?}");
    assert!(r.all().contains("grafana_dashboard no longer exists in Grafana"), "{r:?}");
    w.apply();
    // A new dashboard, so a new uid: a uid is never derived from the content, which two
    // resources may share.
    let recreated = w.state()["grafana_dashboard.other"]["uid"].as_str().unwrap().to_string();
    assert!(recreated.starts_with("tf") && recreated.len() == 26 && recreated != other_uid, "{recreated}");
    assert_eq!(emu.grafana("GET", &format!("/api/dashboards/uid/{recreated}"), None).0, 200);

    // A uid change inside config_json makes a new dashboard and deletes the old one: planned
    // as an update with a warning (a replacement could not stay consistent when config_json is
    // unknown at plan time).
    w.config(
        &emu,
        &lifecycle_config(
            &MAIN.replace("Service overview", "Service overview v2").replace("\"svc\"", "\"svc-2\""),
            "b",
            "",
        ),
    );
    let r = w.plan(&[]);
    assert!(r.stdout.contains("# grafana_dashboard.main will be updated in-place"), "{r:?}");
    let said = r.all().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        said.contains("The dashboard's uid changes: it will be a new dashboard") && said.contains("deletes \"svc\""),
        "{said}"
    );
    w.apply();
    assert_eq!(emu.grafana("GET", "/api/dashboards/uid/svc", None).0, 404);
    assert_eq!(emu.grafana("GET", "/api/dashboards/uid/svc-2", None).0, 200);
    assert_eq!(w.state()["grafana_dashboard.main"]["uid"], "svc-2");
    assert_eq!(emu.held("dashboards"), 2);
    w.assert_plan_empty("after the replacement");

    let deletes = emu.count("DELETE", Some("/api/dashboards/uid/:uid"));
    let r = w.ok(&["destroy", "-auto-approve", "-no-color"]);
    r.assert_summary("4 destroyed");
    assert_eq!(emu.count("DELETE", Some("/api/dashboards/uid/:uid")) - deletes, 2, "one DELETE per dashboard");
    assert_eq!(emu.held("dashboards"), 0);
    assert_eq!(emu.held("folders"), 0);
}

fn dashboard_bad_input_fails_at_plan_and_writes_nothing(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    let long_message = "m".repeat(501);
    w.config(
        &emu,
        &format!(
            r#"
resource "grafana_dashboard" "not_json" {{
  config_json = "{{ title: oops"
}}
resource "grafana_dashboard" "not_object" {{
  config_json = jsonencode(["a"])
}}
resource "grafana_dashboard" "no_title" {{
  config_json = jsonencode({{ panels = [] }})
}}
resource "grafana_dashboard" "blank_title" {{
  config_json = jsonencode({{ title = "  " }})
}}
resource "grafana_dashboard" "bad_uid" {{
  config_json = jsonencode({{ title = "x", uid = "has spaces" }})
}}
resource "grafana_dashboard" "long_uid" {{
  config_json = jsonencode({{ title = "x", uid = "a-uid-that-is-far-longer-than-forty-characters" }})
}}
resource "grafana_dashboard" "long_message" {{
  config_json = jsonencode({{ title = "x" }})
  message     = "{long_message}"
}}
resource "grafana_dashboard" "bad_folder" {{
  config_json = jsonencode({{ title = "x" }})
  folder      = "no/slashes"
}}
resource "grafana_dashboard" "undeclared_input" {{
  config_json = jsonencode({{ title = "x" }})
  inputs      = {{ DS_PROMETHEUS = "prom" }}
}}
resource "grafana_dashboard" "unset_input" {{
  config_json = jsonencode({{
    title    = "x"
    __inputs = [{{ name = "DS_PROMETHEUS", type = "datasource" }}, {{ name = "DS_LOKI", type = "datasource" }}]
  }})
  inputs = {{ DS_PROMETHEUS = "prom" }}
}}
"#
        ),
    );
    w.init();
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    let e = &r.stderr;
    for (summary, resource) in [
        ("config_json is not valid JSON", "not_json"),
        ("config_json is not a JSON object", "not_object"),
        ("Dashboard title missing", "no_title"),
        ("Dashboard title is blank", "blank_title"),
        ("Invalid dashboard uid", "bad_uid"),
        ("Invalid dashboard uid", "long_uid"),
        ("Message too long", "long_message"),
        ("Invalid folder uid", "bad_folder"),
        ("Undeclared dashboard inputs", "undeclared_input"),
        ("Dashboard inputs not set", "unset_input"),
    ] {
        let at = e
            .find(&format!("with grafana_dashboard.{resource},"))
            .unwrap_or_else(|| panic!("no error for {resource}: {e}"));
        let head = &e[..at];
        let start = head.rfind("Error: ").unwrap();
        assert!(head[start..].contains(summary), "{resource}: expected {summary:?}, got {}", &head[start..]);
    }
    assert!(e.contains("Grafana allows at most 40"), "{e}");
    assert!(e.contains("\"DS_LOKI\""), "the unset input is named: {e}");
    assert_eq!(emu.writes(), 0, "a write reached Grafana: {}", emu.stats());
    assert_eq!(emu.held("dashboards"), 0);
}

fn dashboard_conflict_names_the_existing_dashboard(tf: &Terraform, profile: &str) {
    let emu = Emulator::start(&["--grafana-version", profile]);
    assert_eq!(emu.grafana("POST", "/api/folders", Some(json!({"uid": "ops", "title": "Operations"}))).0, 200);
    let (s, _) = emu.grafana(
        "POST",
        "/api/dashboards/db",
        Some(json!({"dashboard": {"uid": "taken", "title": "Theirs"}, "folderUid": "ops"})),
    );
    assert_eq!(s, 200);
    let w = Workdir::new(tf);
    let cfg = |overwrite: bool| {
        format!(
            "resource \"grafana_dashboard\" \"ours\" {{\n  config_json = jsonencode({{ title = \"Ours\", uid = \"taken\" }})\n  overwrite = {overwrite}\n}}\n"
        )
    };
    w.config(&emu, &cfg(false));
    w.init();
    let r = w.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let e = &r.stderr;
    assert!(
        e.contains("A dashboard with this uid already exists")
            && e.contains("\"taken\"")
            && e.contains("\"Theirs\"")
            && e.contains("\"Operations\" (ops)"),
        "{e}"
    );
    assert!(e.contains("overwrite = true") && e.contains("terraform import"), "{e}");
    assert_eq!(
        emu.grafana("GET", "/api/dashboards/uid/taken", None).1["dashboard"]["title"],
        "Theirs",
        "nothing was taken over"
    );
    w.config(&emu, &cfg(true));
    w.apply();
    let (_, got) = emu.grafana("GET", "/api/dashboards/uid/taken", None);
    assert_eq!(got["dashboard"]["title"], "Ours");
    assert_eq!(got["meta"]["folderUid"], "", "moved to the General folder, as configured");
    w.assert_plan_empty("after overwrite");
}

/// Adoption: `terraform plan -generate-config-out` writes a configuration that imports the
/// dashboard with no change.
fn dashboard_adoption_with_generate_config_out(tf: &Terraform, profile: &str) {
    let emu = Emulator::start(&["--grafana-version", profile]);
    assert_eq!(emu.grafana("POST", "/api/folders", Some(json!({"uid": "k8s", "title": "Kubernetes"}))).0, 200);
    let mut model: Value = serde_json::from_str(&fixture("dotdc__dashboards_k8s-views-global.json")).unwrap();
    let text = serde_json::to_string(&model).unwrap().replace("${DS_PROMETHEUS}", "prom");
    model = serde_json::from_str(&text).unwrap();
    model.as_object_mut().unwrap().remove("__inputs");
    let (s, _) = emu.grafana(
        "POST",
        "/api/dashboards/db",
        Some(json!({"dashboard": model, "folderUid": "k8s", "overwrite": true})),
    );
    assert_eq!(s, 200);
    let w = Workdir::new(tf);
    w.config(&emu, "import {\n  to = grafana_dashboard.global\n  id = \"k8s_views_global\"\n}\n");
    w.init();
    let r = w.run(&["plan", "-generate-config-out=generated.tf", "-no-color"]);
    assert_eq!(r.code, 0, "{r:?}");
    let generated = std::fs::read_to_string(w.dir().join("generated.tf")).unwrap();
    assert!(generated.contains("resource \"grafana_dashboard\" \"global\""), "{generated}");
    let folder_line: Vec<&str> = generated.lines().map(str::trim).filter(|l| l.starts_with("folder ")).collect();
    assert_eq!(folder_line.len(), 1, "one folder attribute: {generated}");
    assert_eq!(folder_line[0].split('=').nth(1).map(str::trim), Some("\"k8s\""), "{generated}");
    let r = w.apply();
    r.assert_summary("1 imported, 0 added, 0 changed, 0 destroyed");
    w.assert_plan_empty("after adoption");
}

fn dashboard_of_one_megabyte(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let panels: Vec<Value> = (1..=2200)
        .map(|i| {
            json!({"id": i, "type": "timeseries", "title": format!("Panel {i}"), "gridPos": {"h": 4, "w": 6, "x": (i % 4) * 6, "y": i / 4 * 4},
                   "targets": [{"refId": "A", "expr": format!("sum by (pod) (rate(container_cpu_usage_seconds_total{{namespace=\"ns-{i}\"}}[5m]))")}],
                   "description": "x".repeat(280)})
        })
        .collect();
    let model = json!({"title": "One megabyte", "uid": "big", "panels": panels});
    let text = serde_json::to_string_pretty(&model).unwrap();
    assert!(text.len() > 1 << 20, "{} bytes", text.len());
    let w = Workdir::new(tf);
    w.write("big.json", &text);
    w.config(&emu, "resource \"grafana_dashboard\" \"big\" {\n  config_json = file(\"${path.module}/big.json\")\n}\n");
    w.init();
    w.apply();
    let (_, got) = emu.grafana("GET", "/api/dashboards/uid/big", None);
    assert_eq!(got["dashboard"]["panels"].as_array().unwrap().len(), 2200);
    w.assert_plan_empty("1 MB dashboard");
}

/// With every response to a write lost (`--drop-rate 1`: applied, then the connection closes),
/// create, update and delete still end right, and no second copy appears.
fn dashboard_survives_lost_responses(tf: &Terraform) {
    let emu = Emulator::start(&["--drop-rate", "1", "--seed", "3"]);
    let w = Workdir::new(tf);
    let cfg = |title: &str| {
        format!("resource \"grafana_dashboard\" \"d\" {{\n  config_json = jsonencode({{ title = \"{title}\" }})\n}}\n")
    };
    w.config(&emu, &cfg("Lost once"));
    w.init();
    w.apply();
    assert_eq!(emu.held("dashboards"), 1);
    w.config(&emu, &cfg("Lost twice"));
    w.apply();
    let uid = w.state()["grafana_dashboard.d"]["uid"].as_str().unwrap().to_string();
    assert_eq!(emu.grafana("GET", &format!("/api/dashboards/uid/{uid}"), None).1["dashboard"]["title"], "Lost twice");
    assert_eq!(emu.held("dashboards"), 1);
    w.assert_plan_empty("after lost responses");
    w.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(emu.held("dashboards"), 0);
}

fn dashboard_titles_unique_per_folder_on_10_4(tf: &Terraform) {
    let emu = Emulator::start(&["--grafana-version", "10.4"]);
    let w = Workdir::new(tf);
    w.config(
        &emu,
        r#"
resource "grafana_dashboard" "one" {
  config_json = jsonencode({ title = "Same title", uid = "one" })
}
resource "grafana_dashboard" "two" {
  config_json = jsonencode({ title = "Same title", uid = "two" })
  depends_on  = [grafana_dashboard.one]
}
"#,
    );
    w.init();
    let r = w.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("A dashboard with this title already exists in the folder")
            && r.stderr.contains("Grafana 10.4"),
        "{r:?}"
    );
    assert_eq!(emu.held("dashboards"), 1);
}

fn dashboard_data_sources(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    assert_eq!(emu.grafana("POST", "/api/folders", Some(json!({"uid": "team-a", "title": "Team A"}))).0, 200);
    for (uid, title, folder, tags) in [
        ("a1", "Alpha", "team-a", json!(["prod"])),
        ("a2", "Beta", "team-a", json!(["dev"])),
        ("r1", "Root", "", json!(["prod"])),
    ] {
        let (s, _) = emu.grafana(
            "POST",
            "/api/dashboards/db",
            Some(json!({"dashboard": {"uid": uid, "title": title, "tags": tags}, "folderUid": folder})),
        );
        assert_eq!(s, 200);
    }
    let w = Workdir::new(tf);
    w.config(
        &emu,
        r#"
data "grafana_dashboard" "alpha" {
  uid = "a1"
}
data "grafana_dashboards" "in_team_a" {
  folder_uids = ["team-a"]
}
data "grafana_dashboards" "prod" {
  tags = ["prod"]
}
output "alpha" {
  value = { title = data.grafana_dashboard.alpha.title, folder = data.grafana_dashboard.alpha.folder, version = data.grafana_dashboard.alpha.version, uid_in_json = jsondecode(data.grafana_dashboard.alpha.config_json).uid }
}
output "team_a" {
  value = data.grafana_dashboards.in_team_a.uids
}
output "prod_titles" {
  value = [for d in data.grafana_dashboards.prod.dashboards : d.title]
}
"#,
    );
    w.init();
    w.apply();
    let out: Value = serde_json::from_str(&w.ok(&["output", "-json"]).stdout).unwrap();
    assert_eq!(out["alpha"]["value"], json!({"title": "Alpha", "folder": "team-a", "version": 1, "uid_in_json": "a1"}));
    assert_eq!(out["team_a"]["value"], json!(["a1", "a2"]));
    assert_eq!(out["prod_titles"]["value"], json!(["Alpha", "Root"]));
}

// ---- the corpus of real dashboards ----

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dashboards")
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(name)).unwrap()
}

/// Every corpus dashboard (the second of each pair sharing a uid aside) as a resource, with
/// each declared input set; returns the configuration and the number of dashboards.
fn corpus_config(w: &Workdir) -> (String, usize) {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let mut seen_uids = BTreeMap::new();
    let mut cfg = String::new();
    let mut n = 0;
    for (i, name) in names.iter().enumerate() {
        let text = fixture(name);
        let model: Value = serde_json::from_str(&text).unwrap();
        if let Some(uid) = model["uid"].as_str().filter(|u| !u.is_empty())
            && let Some(first) = seen_uids.insert(uid.to_string(), name.clone())
        {
            // The conflict pairs: covered by corpus_pairs_sharing_a_uid_conflict.
            seen_uids.insert(uid.to_string(), first);
            continue;
        }
        w.write(name, &text);
        let inputs: Vec<String> = model["__inputs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["name"].as_str())
            .map(|name| format!("    {name:?} = \"ds-{}\"", name.to_lowercase().replace(' ', "-")))
            .collect();
        let inputs =
            if inputs.is_empty() { String::new() } else { format!("  inputs = {{\n{}\n  }}\n", inputs.join("\n")) };
        cfg.push_str(&format!("resource \"grafana_dashboard\" \"d{i}\" {{\n  config_json = file(\"${{path.module}}/{name}\")\n{inputs}}}\n\n"));
        n += 1;
    }
    (cfg, n)
}

fn corpus_applies_with_an_empty_plan(tf: &Terraform, profile: &str) {
    let emu = Emulator::start(&["--grafana-version", profile]);
    let w = Workdir::new(tf);
    let (cfg, n) = corpus_config(&w);
    assert!(n >= 39, "{n} dashboards");
    w.config(&emu, &cfg);
    w.init();
    let r = w.apply();
    r.assert_summary(&format!("{n} added, 0 changed, 0 destroyed"));
    assert_eq!(emu.held("dashboards"), n as u64);
    w.assert_plan_empty(&format!("corpus on Grafana {profile}"));
    // Inputs were filled in, and the export-only keys were not uploaded.
    // (The dotdc dashboards declare DS_PROMETHEUS but use a template variable; these use theirs.)
    let (_, got) = emu.grafana("GET", "/api/dashboards/uid/aepc8hll0rzeoc", None);
    let stored = got["dashboard"].to_string();
    assert!(!stored.contains("${DS_") && stored.contains("ds-ds_amazon_cloudwatch"), "placeholders left in: {stored}");
    let (_, got) = emu.grafana("GET", "/api/dashboards/uid/deme0g13gg9hca", None);
    let stored = got["dashboard"].to_string();
    assert!(
        !stored.contains("${DS_") && stored.contains("ds-ds_amazon_cloudwatch-us-east-2"),
        "an input name with a space: {stored}"
    );
    assert!(got["dashboard"].get("__inputs").is_none() && got["dashboard"].get("__requires").is_none());
    w.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(emu.held("dashboards"), 0);
}

/// The two corpus pairs that share a uid (and a title): the second of each is refused with a
/// message naming the first.
#[test]
fn corpus_pairs_sharing_a_uid_conflict() {
    let tf = crate::support::terraform("1.15.5");
    for (pair, uid, title) in [
        (
            [
                "aws-observability__eks_infrastructure_kubelet.json",
                "aws-observability__eks-fargate_infrastructure_kubelet.json",
            ],
            "3138fa155d5915769fbded898ac09fd9",
            "Kubernetes / Kubelet",
        ),
        (
            [
                "aws-observability__eks_infrastructure_cluster.json",
                "aws-observability__eks-fargate_infrastructure_cluster.json",
            ],
            "efa86fd1d0c121a26444b636a3f509a8",
            "Kubernetes / Compute Resources / Cluster",
        ),
    ] {
        let emu = Emulator::start(&[]);
        let w = Workdir::new(&tf);
        for p in pair {
            w.write(p, &fixture(p));
        }
        w.config(
            &emu,
            &format!(
                "resource \"grafana_dashboard\" \"first\" {{\n  config_json = file(\"${{path.module}}/{}\")\n}}\nresource \"grafana_dashboard\" \"second\" {{\n  config_json = file(\"${{path.module}}/{}\")\n  depends_on  = [grafana_dashboard.first]\n}}\n",
                pair[0], pair[1]
            ),
        );
        w.init();
        let r = w.run(&["apply", "-auto-approve", "-no-color"]);
        assert_eq!(r.code, 1, "{r:?}");
        assert!(
            r.stderr.contains("A dashboard with this uid already exists")
                && r.stderr.contains(&format!("\"{uid}\""))
                && r.stderr.contains(&format!("\"{title}\"")),
            "{r:?}"
        );
        assert_eq!(emu.held("dashboards"), 1);
    }
}

/// Updates send the version Terraform last saw: a save in Grafana between plan and apply is
/// refused with a message, not overwritten; with `overwrite = true` it is saved over.
fn dashboard_update_refuses_to_lose_a_concurrent_change(tf: &Terraform, profile: &str) {
    let emu = Emulator::start(&["--grafana-version", profile]);
    let w = Workdir::new(tf);
    let cfg = |title: &str, overwrite: bool| {
        format!(
            "resource \"grafana_dashboard\" \"d\" {{\n  config_json = jsonencode({{ title = \"{title}\", uid = \"race\" }})\n  overwrite   = {overwrite}\n}}\n"
        )
    };
    w.config(&emu, &cfg("Ours", false));
    w.init();
    w.apply();
    w.config(&emu, &cfg("Ours, renamed", false));
    w.ok(&["plan", "-out=race.plan", "-no-color"]);
    let (_, got) = emu.grafana("GET", "/api/dashboards/uid/race", None);
    let mut theirs = got["dashboard"].clone();
    theirs["title"] = json!("Theirs, saved meanwhile");
    assert_eq!(emu.grafana("POST", "/api/dashboards/db", Some(json!({"dashboard": theirs}))).0, 200);
    let r = w.run(&["apply", "-no-color", "race.plan"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("The dashboard changed in Grafana since Terraform read it")
            && r.stderr.contains("overwrite = true"),
        "{r:?}"
    );
    assert_eq!(emu.grafana("GET", "/api/dashboards/uid/race", None).1["dashboard"]["title"], "Theirs, saved meanwhile");
    w.config(&emu, &cfg("Ours, renamed", true));
    w.ok(&["plan", "-out=race.plan", "-no-color"]);
    let mut again = emu.grafana("GET", "/api/dashboards/uid/race", None).1["dashboard"].clone();
    again["title"] = json!("Theirs again");
    assert_eq!(emu.grafana("POST", "/api/dashboards/db", Some(json!({"dashboard": again}))).0, 200);
    w.ok(&["apply", "-no-color", "race.plan"]);
    assert_eq!(emu.grafana("GET", "/api/dashboards/uid/race", None).1["dashboard"]["title"], "Ours, renamed");
}

/// `store_dashboard_sha256 = true`: the state holds a hash of each model, never its JSON; the
/// corpus (inputs included) plans nothing after apply; a change made in Grafana and one made in
/// the configuration each show as that dashboard's hash changing and are applied; turning the
/// option off and on rewrites the state without a write to Grafana.
fn dashboard_store_sha256_keeps_a_hash_and_still_shows_changes(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    let (corpus, n) = corpus_config(&w);
    let provider = |sha: bool| {
        format!(
            "provider \"grafana\" {{\n  url  = \"{}\"\n  auth = \"{}\"\n  store_dashboard_sha256 = {sha}\n}}\n",
            emu.grafana_url, emu.admin_token
        )
    };
    let main = |sha: bool, body: &str| {
        format!(
            "{}\n{}\nresource \"grafana_dashboard\" \"main\" {{\n  config_json = {body}\n}}\n\n{corpus}",
            crate::support::REQUIRED,
            provider(sha)
        )
    };
    w.write("main.tf", &main(true, MAIN));
    w.init();
    let r = w.apply();
    r.assert_summary(&format!("{} added, 0 changed, 0 destroyed", n + 1));
    let state = std::fs::read_to_string(w.dir().join("terraform.tfstate")).unwrap();
    assert!(!state.contains("Service overview") && !state.contains("Requests"), "dashboard JSON in the state");
    let hash = w.state()["grafana_dashboard.main"]["config_json"].as_str().unwrap().to_string();
    assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "{hash}");
    w.assert_plan_empty("the corpus with store_dashboard_sha256");

    // A change made in Grafana: the plan names the dashboard; apply restores the configuration.
    let (_, got) = emu.grafana("GET", "/api/dashboards/uid/svc", None);
    let mut edited = got["dashboard"].clone();
    edited["title"] = json!("Edited in the UI");
    assert_eq!(emu.grafana("POST", "/api/dashboards/db", Some(json!({"dashboard": edited, "overwrite": true}))).0, 200);
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.contains("grafana_dashboard.main will be updated in-place"), "{r:?}");
    assert!(r.stdout.contains("config_json") && r.stdout.contains(&hash), "the plan shows the hash changing: {r:?}");
    assert!(r.stdout.contains("1 to change"), "only that dashboard: {r:?}");
    w.apply();
    let (_, got) = emu.grafana("GET", "/api/dashboards/uid/svc", None);
    assert_eq!(got["dashboard"]["title"], "Service overview");
    assert_eq!(w.state()["grafana_dashboard.main"]["config_json"], hash.as_str());
    w.assert_plan_empty("after restoring the dashboard");

    // A change in the configuration.
    let changed = MAIN.replace("title = \"Service overview\"", "title = \"Service overview v2\"");
    w.write("main.tf", &main(true, &changed));
    let r = w.apply();
    r.assert_summary("0 added, 1 changed, 0 destroyed");
    let (_, got) = emu.grafana("GET", "/api/dashboards/uid/svc", None);
    assert_eq!(got["dashboard"]["title"], "Service overview v2");
    assert_ne!(w.state()["grafana_dashboard.main"]["config_json"], hash.as_str());
    w.assert_plan_empty("after a configuration change");

    // Off, then on again: the state changes form, Grafana is not written to.
    let writes = emu.writes();
    w.write("main.tf", &main(false, &changed));
    w.apply();
    assert!(w.state()["grafana_dashboard.main"]["config_json"].as_str().unwrap().contains("Service overview v2"));
    w.assert_plan_empty("store_dashboard_sha256 turned off");
    w.write("main.tf", &main(true, &changed));
    w.apply();
    assert_eq!(w.state()["grafana_dashboard.main"]["config_json"].as_str().unwrap().len(), 64);
    w.assert_plan_empty("store_dashboard_sha256 turned on again");
    assert_eq!(emu.writes(), writes, "changing the state's form wrote to Grafana");
}

/// Grafana 10.4 refuses a dashboard titled like a folder, even the folder holding it (the
/// common "folder Payments holding dashboard Payments" layout), and a folder titled like a
/// dashboard in the General folder: each a diagnostic that names the rule, nothing saved.
#[test]
fn on_grafana_10_4_titles_shared_by_a_folder_and_a_dashboard_fail_naming_the_rule() {
    let tf = crate::support::terraform("1.11.4");
    let emu = Emulator::start(&["--grafana-version", "10.4"]);
    let w = Workdir::new(&tf);
    w.config(
        &emu,
        r#"
resource "grafana_folder" "payments" {
  title = "Payments"
}
resource "grafana_dashboard" "payments" {
  folder      = grafana_folder.payments.uid
  config_json = jsonencode({ title = "Payments", panels = [] })
}
"#,
    );
    w.init();
    let r = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let err = r.stderr.replace('\n', " ");
    assert!(err.contains("A dashboard may not have a folder's title on Grafana 10.4"), "{err}");
    assert!(err.contains("the one holding it included"), "{err}");
    assert_eq!((emu.held("folders"), emu.held("dashboards")), (1, 0), "nothing but the folder saved");

    let emu = Emulator::start(&["--grafana-version", "10.4"]);
    let (s, _) = emu.grafana("POST", "/api/dashboards/db", Some(json!({"dashboard": {"title": "Ops", "panels": []}})));
    assert_eq!(s, 200);
    let w = Workdir::new(&tf);
    w.config(&emu, "resource \"grafana_folder\" \"ops\" {\n  title = \"Ops\"\n}\n");
    w.init();
    let r = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let err = r.stderr.replace('\n', " ");
    assert!(err.contains("A folder may not have a dashboard's title on Grafana 10.4"), "{err}");
    assert_eq!(emu.held("folders"), 0);
}
