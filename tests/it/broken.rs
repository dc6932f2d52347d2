//! Regression tests for what trying to break the provider from outside found (issue "A provider
//! orphaned by `kill -9` keeps a live token, …"), each named after its bug.

use std::time::Duration;

use serde_json::json;

use crate::amg_auth::{SA, provider_block, signed_call, tokens, workdir};
use crate::support::{Emulator, GrafanaAdmin, REQUIRED, Terraform, Workdir, provider_processes, wait_until};

on_both_terraforms!(
    regression_an_orphaned_provider_kept_its_token_after_terraform_was_killed,
    regression_moves_were_refused_under_another_provider_address,
    regression_an_over_long_name_passed_plan_and_was_echoed_whole,
    regression_objects_another_resource_manages_were_advised_to_be_imported,
    regression_two_default_data_sources_took_the_default_from_each_other_without_a_word,
    regression_drift_on_a_dashboard_with_inputs_read_as_if_every_panel_would_break,
    regression_generated_configuration_held_the_hash_under_store_dashboard_sha256,
);

fn regression_an_orphaned_provider_kept_its_token_after_terraform_was_killed(tf: &Terraform) {
    let emu = Emulator::start(&["--tls", "--latency-ms", "100"]);
    let ws = emu.workspace_id.clone();
    let w = workdir(tf, &emu, false);
    let folders = (0..60).map(|i| format!("resource \"grafana_folder\" \"f{i}\" {{\n  title = \"f{i}\"\n}}\n"));
    w.write(
        "main.tf",
        &format!("{REQUIRED}\n{}\n{}", provider_block(&emu, &format!("\"{ws}\""), ""), folders.collect::<String>()),
    );
    w.init();
    let mut child =
        crate::support::spawn_interruptible(&w, &["apply", "-auto-approve", "-no-color", "-input=false"], &[]);
    wait_until("the apply minted a token and created folders", Duration::from_secs(60), || {
        tokens(&emu, &ws).0 >= 1 && emu.held("folders") >= 3
    });
    let providers = provider_processes(&w);
    assert!(!providers.is_empty(), "no provider process found under {}", w.dir().display());
    // SIGKILL to Terraform alone (not its process group), as a CI timeout or the OOM killer does.
    // SAFETY: plain kill(2) on a child we started.
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    let _ = child.wait();
    assert!(emu.held("folders") < 60, "Terraform was killed after the apply finished");
    let gone = amg_local::harness::wait_until(
        "the orphaned provider revoked its token and exited",
        Duration::from_secs(10),
        || provider_processes(&w).is_empty() && tokens(&emu, &ws).0 == 0,
    );
    for pid in provider_processes(&w) {
        // SAFETY: kill(2) of a leftover provider of this test, so a failure leaks nothing.
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    }
    gone.unwrap_or_else(|e| {
        panic!("{e}: live tokens {:?}, provider processes {:?}", tokens(&emu, &ws), provider_processes(&w))
    });

    // A token the provider could not revoke (its own process killed with SIGKILL; minted here
    // as such a run would have): the next run's clean-up says it found it and leaves it alone.
    let accounts = signed_call(&emu, "GET", &format!("/workspaces/{ws}/serviceaccounts"), &json!({}));
    let sa = accounts["serviceAccounts"].as_array().into_iter().flatten().find(|a| a["name"] == SA).expect("the SA");
    let sa_id = sa["id"].as_str().expect("id");
    let minted = signed_call(
        &emu,
        "POST",
        &format!("/workspaces/{ws}/serviceaccounts/{sa_id}/tokens"),
        &json!({"name": "killed-run", "secondsToLive": 900}),
    );
    assert!(minted["serviceAccountToken"]["key"].is_string(), "{minted}");
    let mut w = w;
    w.env("TF_LOG_PROVIDER", "WARN");
    // Terraform writes its local state in place as the apply goes: killed mid-write, it leaves
    // the file cut short ("syntax error at byte offset 8192", seen under load). That is Terraform's
    // to own, not this regression's: the next run starts from no state and creates the folders again.
    for file in ["terraform.tfstate", "terraform.tfstate.backup"] {
        let _ = std::fs::remove_file(w.dir().join(file));
    }
    let r = w.apply();
    assert!(
        r.all().contains("found 1 live token(s) of the provider's service account"),
        "the clean-up did not say what it found: {}",
        r.all()
    );
    assert_eq!(tokens(&emu, &ws).0, 1, "the other run's live token is left to its TTL");
}

fn regression_moves_were_refused_under_another_provider_address(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    w.dev_override("example.com/x/grafana");
    let head = format!(
        "terraform {{\n  required_providers {{\n    grafana = {{ source = \"example.com/x/grafana\" }}\n  }}\n}}\n\nprovider \"grafana\" {{\n  url  = \"{}\"\n  auth = \"{}\"\n}}\n",
        emu.grafana_url, emu.admin_token
    );
    let body = |ty: &str| {
        format!(
            "resource \"{ty}\" \"amp\" {{\n  name = \"AMP\"\n  type = \"prometheus\"\n  url  = \"https://aps.example\"\n}}\n"
        )
    };
    w.write("main.tf", &format!("{head}\n{}", body("grafana_datasource")));
    let r = w.apply();
    assert!(r.stdout.contains("Resources: 1 added, 0 changed, 0 destroyed."), "{r:?}");
    let writes = emu.writes();
    w.write(
        "main.tf",
        &format!(
            "{head}\n{}\nmoved {{\n  from = grafana_datasource.amp\n  to   = grafana_data_source.amp\n}}\n",
            body("grafana_data_source")
        ),
    );
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "a move under example.com/x/grafana: {r:?}");
    assert!(r.stdout.contains("Plan: 0 to add, 0 to change, 0 to destroy."), "{r:?}");
    assert!(r.stdout.contains("has moved to grafana_data_source.amp"), "{r:?}");
    let r = w.apply();
    assert!(r.stdout.contains("Resources: 0 added, 0 changed, 0 destroyed."), "{r:?}");
    assert_eq!(emu.writes(), writes, "the move wrote to Grafana");
    assert_eq!(w.state()["grafana_data_source.amp"]["name"], "AMP");
    assert_eq!(emu.held("datasources"), 1);
}

fn regression_an_over_long_name_passed_plan_and_was_echoed_whole(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    // Generated, as long values are (Terraform's own source snippet shows the expression).
    w.config(
        &emu,
        r#"
locals {
  long  = replace(format("%2000s", ""), " ", "n")
  title = replace(format("%5001s", ""), " ", "t")
}
resource "grafana_data_source" "long" {
  name = local.long
  type = "prometheus"
  url  = "https://aps.example/${local.long}"
}
resource "grafana_dashboard" "long" {
  config_json = jsonencode({ title = local.title, panels = [] })
  message     = local.long
}
"#,
    );
    w.init();
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "over-long values passed plan: {r:?}");
    let all = r.all();
    for (what, max) in
        [("Data source name too long", 190), ("Data source url too long", 255), ("Dashboard title too long", 5000)]
    {
        assert!(all.contains(what), "{what} missing: {all}");
        assert!(all.contains(&format!("at most {max} bytes")), "{what}: the limit is not named: {all}");
    }
    assert!(all.contains("Message too long"), "{all}");
    assert!(all.contains("is 2000 bytes long"), "the length is not said: {all}");
    let longest = all.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest <= 400, "a line of {longest} characters: the value was echoed");
    assert_eq!(emu.writes(), 0, "a refused plan wrote to Grafana");
    assert_eq!(emu.held("datasources"), 0);
}

fn regression_objects_another_resource_manages_were_advised_to_be_imported(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    let sources = |a: &str, b: &str| {
        format!(
            r#"
resource "grafana_data_source" "a" {{
  name = "{a}"
  type = "prometheus"
  url  = "https://a.example"
}}
resource "grafana_data_source" "b" {{
  name = "{b}"
  type = "prometheus"
  url  = "https://b.example"
}}
"#
        )
    };
    w.config(&emu, &sources("Alpha", "Beta"));
    w.init();
    w.apply();
    // Names swapped: whichever goes first finds the other's name taken.
    w.config(&emu, &sources("Beta", "Alpha"));
    let r = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let err = r.stderr.replace('\n', " ");
    let (another, import) = (err.find("Another resource in this configuration may manage it"), err.find("import it"));
    assert!(
        matches!((another, import), (Some(a), Some(i)) if a < i),
        "the configuration's own resources come first, the import hint second: {err}"
    );
    assert!(err.contains("rename in two applies"), "{err}");

    // Two configured dashboards with one uid (as two exports of one dashboard have).
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    w.config(
        &emu,
        r#"
resource "grafana_dashboard" "export_a" {
  config_json = jsonencode({ uid = "shared-uid", title = "Export A", panels = [] })
}
resource "grafana_dashboard" "export_b" {
  config_json = jsonencode({ uid = "shared-uid", title = "Export B", panels = [] })
}
"#,
    );
    w.init();
    let r = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let err = r.stderr.replace('\n', " ");
    let (another, import) = (err.find("Another resource in this configuration may manage it"), err.find("import it"));
    assert!(matches!((another, import), (Some(a), Some(i)) if a < i), "{err}");
    assert!(err.contains("give each a distinct uid"), "{err}");
    assert_eq!(emu.held("dashboards"), 1, "one of the two was saved, the other refused");
}

fn regression_two_default_data_sources_took_the_default_from_each_other_without_a_word(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    w.config(
        &emu,
        r#"
resource "grafana_data_source" "first" {
  name       = "First"
  type       = "prometheus"
  url        = "https://a.example"
  is_default = true
}
resource "grafana_data_source" "second" {
  name       = "Second"
  type       = "prometheus"
  url        = "https://b.example"
  is_default = true
  depends_on = [grafana_data_source.first]
}
"#,
    );
    w.init();
    let r = w.apply();
    let all = r.all().replace('\n', " ");
    assert!(all.contains("Warning: The default data source changed"), "{r:?}");
    assert!(all.contains("is_default` on data source \"First\""), "the other data source is named: {all}");
    assert!(all.contains("set `is_default = true` on one data source only"), "{all}");
}

/// An export with `__inputs` (placeholders in every panel), edited in Grafana: one panel title.
fn regression_drift_on_a_dashboard_with_inputs_read_as_if_every_panel_would_break(tf: &Terraform) {
    const EXPORT: &str = "aws-observability__amp_amp-workspace-dashboard.json";
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dashboards").join(EXPORT),
    )
    .expect("fixture");
    let uid = serde_json::from_str::<serde_json::Value>(&text).unwrap()["uid"].as_str().unwrap().to_string();
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    w.write(EXPORT, &text);
    let config = |sha256: bool| {
        format!(
            "{REQUIRED}\nprovider \"grafana\" {{\n  url  = \"{}\"\n  auth = \"{}\"\n  store_dashboard_sha256 = {sha256}\n}}\n\nresource \"grafana_dashboard\" \"amp\" {{\n  config_json = file(\"${{path.module}}/{EXPORT}\")\n  inputs      = {{ DS_AMAZON_CLOUDWATCH = \"cw-uid\" }}\n}}\n",
            emu.grafana_url, emu.admin_token
        )
    };
    let edit = |title: &str| {
        let (_, got) = emu.grafana("GET", &format!("/api/dashboards/uid/{uid}"), None);
        let mut model = got["dashboard"].clone();
        model["panels"][1]["title"] = json!(title);
        let (s, b) = emu.grafana("POST", "/api/dashboards/db", Some(json!({"dashboard": model, "overwrite": true})));
        assert_eq!(s, 200, "{b}");
    };
    let assert_only_the_title = |title: &str, path: &str| {
        let r = w.plan(&[]);
        assert_eq!(r.code, 2, "{path}: {r:?}");
        assert!(r.stdout.contains(title), "{path}: the new title is not in the plan: {}", r.stdout);
        // Lines that change something (Terraform also prints the panels next to a changed one
        // as context, unchanged, in the configuration's own form).
        let changed: Vec<&str> = r
            .stdout
            .lines()
            .map(str::trim_start)
            .filter(|l| ["~ ", "+ ", "- "].iter().any(|m| l.starts_with(m)))
            .filter(|l| !["~ update in-place", "~ url ", "~ version "].iter().any(|m| l.starts_with(m)))
            .collect();
        let noisy: Vec<&&str> =
            changed.iter().filter(|l| l.contains("${") || l.contains("__inputs") || l.contains("__requires")).collect();
        assert!(noisy.is_empty(), "{path}: the plan rewires placeholders: {noisy:#?}\n{}", r.stdout);
        let title_line = format!("~ title         = \"{title}\" -> ");
        assert!(changed.iter().any(|l| l.starts_with(&title_line)), "{path}: {changed:#?}");
        // The resource, config_json, the model, its panel list, the panel and its title (and the
        // url and version Grafana assigns): nothing else.
        assert_eq!(changed.len(), 6, "{path}: more than the title changes: {changed:#?}\n{}", r.stdout);
        assert!(r.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{path}: {r:?}");
    };

    w.write("main.tf", &config(false));
    w.init();
    w.apply();
    w.assert_plan_empty("the export applied");
    edit("Edited in the console");
    assert_only_the_title("Edited in the console", "state with the configuration's text");
    w.apply();
    w.assert_plan_empty("the edit undone");

    // A panel added in Grafana at the top: the panels after it keep their placeholders (they
    // are matched by id, not by position).
    let (_, got) = emu.grafana("GET", &format!("/api/dashboards/uid/{uid}"), None);
    let mut model = got["dashboard"].clone();
    let new_panel = json!({"id": 999, "type": "text", "title": "Added in the console", "gridPos": {"h": 2, "w": 24, "x": 0, "y": 0}});
    model["panels"].as_array_mut().unwrap().insert(0, new_panel);
    let (s, b) = emu.grafana("POST", "/api/dashboards/db", Some(json!({"dashboard": model, "overwrite": true})));
    assert_eq!(s, 200, "{b}");
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "{r:?}");
    let rewired: Vec<&str> = r
        .stdout
        .lines()
        .map(str::trim_start)
        .filter(|l| ["~ ", "+ ", "- "].iter().any(|m| l.starts_with(m)))
        .filter(|l| l.contains("${") || l.contains("__inputs") || l.contains("__requires"))
        .collect();
    assert!(rewired.is_empty(), "a panel added rewires the others: {rewired:#?}\n{}", r.stdout);
    assert!(r.stdout.contains("Added in the console"), "{}", r.stdout);
    w.apply();
    w.assert_plan_empty("the added panel removed");

    // With store_dashboard_sha256 on, then off again: the state's text comes from Grafana.
    w.write("main.tf", &config(true));
    w.apply();
    w.write("main.tf", &config(false));
    w.apply();
    w.assert_plan_empty("store_dashboard_sha256 turned off");
    edit("Edited after the hash");
    assert_only_the_title("Edited after the hash", "state written back from a hash");
}

fn regression_generated_configuration_held_the_hash_under_store_dashboard_sha256(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let model = json!({"uid": "made-in-ui", "title": "Made in the UI", "panels": [{"id": 1, "type": "text", "title": "Notes"}]});
    let (s, b) = emu.grafana("POST", "/api/dashboards/db", Some(json!({"dashboard": model})));
    assert_eq!(s, 200, "{b}");
    let w = Workdir::new(tf);
    w.write(
        "main.tf",
        &format!(
            "{REQUIRED}\nprovider \"grafana\" {{\n  url  = \"{}\"\n  auth = \"{}\"\n  store_dashboard_sha256 = true\n}}\n\nimport {{\n  to = grafana_dashboard.adopted\n  id = \"made-in-ui\"\n}}\n",
            emu.grafana_url, emu.admin_token
        ),
    );
    w.init();
    let r = w.plan(&["-generate-config-out=generated.tf"]);
    assert_eq!(r.code, 2, "{r:?}");
    let generated = std::fs::read_to_string(w.dir().join("generated.tf")).expect("generated.tf");
    assert!(generated.contains("config_json = jsonencode("), "not the JSON model: {generated}");
    assert!(generated.contains("Made in the UI") && generated.contains("Notes"), "{generated}");
    let hex64 = generated.split('"').any(|p| p.len() == 64 && p.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(!hex64, "a hash in the generated configuration: {generated}");
    let r = w.plan(&[]);
    assert!(r.stdout.contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."), "{r:?}");
    let writes = emu.writes();
    let r = w.apply();
    assert!(r.stdout.contains("Resources: 1 imported, 0 added, 0 changed, 0 destroyed."), "{r:?}");
    assert_eq!(emu.writes(), writes, "adoption wrote to Grafana");
    let r = w.plan(&[]);
    assert_eq!(r.code, 0, "the plan after adoption is not empty: {r:?}");
    // The first refresh after the import stores the hash, as the option asks.
    w.apply();
    let stored = w.state()["grafana_dashboard.adopted"]["config_json"].as_str().unwrap_or_default().to_string();
    assert_eq!(stored.len(), 64, "the state holds the model, not its hash, after a refresh: {stored}");
    w.assert_plan_empty("after adoption and a refresh");
    assert_eq!(emu.writes(), writes, "adoption wrote to Grafana");
}
