//! `grafana_datasource` / `grafana_data_source` end to end: secrets kept out of state, secret
//! drift seen and healed, AMG mistakes caught at plan, both type names and a `moved` block
//! between them, imports, lookups, provisioned data sources, the Prometheus type conversion.

use serde_json::{Value, json};

use crate::support::{Emulator, GrafanaAdmin, Terraform, Workdir};

on_both_terraforms_and_profiles!(datasource_lifecycle);
on_both_terraforms!(
    datasource_moved_between_type_names,
    datasource_bad_input_fails_at_plan_and_writes_nothing,
    datasource_amg_mistakes_are_warned_about,
    datasource_conflict_names_the_existing_one,
    datasource_provisioned_is_refused_but_found,
    datasource_prometheus_converted_by_grafana_12_plans_nothing,
    datasource_adoption_with_generate_config_out,
);

const PASSWORD: &str = "s3cret-basic-auth-pass";
const API_KEY: &str = "s3cret-api-key";
const HEADER: &str = "s3cret-header-value";

fn lifecycle_config(secrets: &str, headers: &str, versions: (i64, i64), loki_url: &str) -> String {
    format!(
        r#"
resource "grafana_datasource" "amp" {{
  name = "AMP"
  type = "grafana-amazonprometheus-datasource"
  uid  = "amp-prod"
  url  = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/"
  json_data_encoded = jsonencode({{ httpMethod = "POST", sigV4Auth = true, sigV4AuthType = "ec2_iam_role", sigV4Region = "us-east-1" }})
}}

resource "grafana_datasource" "loki" {{
  name                = "Loki"
  type                = "loki"
  uid                 = "loki"
  url                 = "{loki_url}"
  basic_auth_enabled  = true
  basic_auth_username = "grafana"
  json_data_encoded   = jsonencode({{ maxLines = 1000 }})

  secure_json_data_encoded_wo         = jsonencode({{ {secrets} }})
  secure_json_data_encoded_wo_version = {}
  http_headers_wo                     = {{ {headers} }}
  http_headers_wo_version             = {}
}}

data "grafana_datasource" "by_name" {{
  name = grafana_datasource.amp.name
}}

data "grafana_data_source" "by_uid" {{
  uid = grafana_datasource.loki.uid
}}

data "grafana_datasources" "all" {{
  depends_on = [grafana_datasource.amp, grafana_datasource.loki]
}}

output "amp_type" {{
  value = data.grafana_datasource.by_name.type
}}

output "loki_secret_keys" {{
  value = data.grafana_data_source.by_uid.secure_json_fields
}}

output "all" {{
  value = [for d in data.grafana_datasources.all.datasources : "${{d.name}}=${{d.type}}"]
}}
"#,
        versions.0, versions.1
    )
}

fn secrets(with_api_key: bool) -> String {
    if with_api_key {
        format!("basicAuthPassword = \"{PASSWORD}\", apiKey = \"{API_KEY}\"")
    } else {
        format!("basicAuthPassword = \"{PASSWORD}\"")
    }
}

fn headers() -> String {
    format!("\"X-Scope-OrgID\" = \"{HEADER}\", \"X-A\" = \"a-value\"")
}

fn ds(emu: &Emulator, uid: &str) -> Value {
    let (s, v) = emu.grafana("GET", &format!("/api/datasources/uid/{uid}"), None);
    assert_eq!(s, 200, "{v}");
    v
}

fn secret_keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v["secureJsonFields"].as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// Changes a data source in Grafana as someone else would (a PUT with its current version).
fn change_in_grafana(emu: &Emulator, uid: &str, edit: impl FnOnce(&mut Value)) {
    let mut v = ds(emu, uid);
    edit(&mut v);
    let (s, b) = emu.grafana("PUT", &format!("/api/datasources/uid/{uid}"), Some(v));
    assert_eq!(s, 200, "{b}");
}

fn assert_no_secret_in(text: &str, what: &str) {
    for s in [PASSWORD, API_KEY, HEADER] {
        assert!(!text.contains(s), "{what} holds a secret ({s})");
    }
}

/// Only `address` is planned to change, in place.
fn assert_only_update(w: &Workdir, address: &str, why: &str) {
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "{why}: {r:?}");
    assert!(r.stdout.contains(&format!("# {address} will be updated in-place")), "{why}: {r:?}");
    assert!(r.stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{why}: {r:?}");
}

fn datasource_lifecycle(tf: &Terraform, profile: &str) {
    let emu = Emulator::start(&["--grafana-version", profile]);
    let w = Workdir::new(tf);
    let url = "https://loki.example.com";
    w.config(&emu, &lifecycle_config(&secrets(true), &headers(), (1, 1), url));
    w.init();

    // Create: one POST per data source; the secrets reach Grafana, never the state.
    let r = w.apply();
    r.assert_summary("2 added, 0 changed, 0 destroyed");
    assert_eq!(emu.count("POST", Some("/api/datasources")), 2);
    let loki = ds(&emu, "loki");
    assert_eq!(
        secret_keys(&loki),
        vec!["apiKey", "basicAuthPassword", "httpHeaderValue1", "httpHeaderValue2"],
        "{loki}"
    );
    assert_eq!(loki["jsonData"]["httpHeaderName1"], "X-A", "headers numbered in name order: {loki}");
    assert_eq!(loki["jsonData"]["httpHeaderName2"], "X-Scope-OrgID");
    assert_eq!(loki["jsonData"]["maxLines"], 1000);
    assert_eq!(loki["basicAuth"], true);
    let state_text = std::fs::read_to_string(w.dir().join("terraform.tfstate")).unwrap();
    assert_no_secret_in(&state_text, "the state");
    let r = w.ok(&["output", "-json"]);
    let out: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out["amp_type"]["value"], "grafana-amazonprometheus-datasource");
    assert_eq!(
        out["loki_secret_keys"]["value"],
        json!(["apiKey", "basicAuthPassword", "httpHeaderValue1", "httpHeaderValue2"])
    );
    assert_eq!(out["all"]["value"], json!(["AMP=grafana-amazonprometheus-datasource", "Loki=loki"]));

    // The next plan is empty, and refreshing costs one GET per data source.
    let gets = emu.count("GET", Some("/api/datasources/uid/:uid"));
    w.assert_plan_empty("after create");
    // One plan, reading two resources and the uid lookup.
    assert_eq!(emu.count("GET", Some("/api/datasources/uid/:uid")) - gets, 3);

    // A new secret version: one in-place update that sends the secrets again.
    let puts = emu.count("PUT", Some("/api/datasources/uid/:uid"));
    let version = ds(&emu, "loki")["version"].as_i64().unwrap();
    w.config(&emu, &lifecycle_config(&secrets(true), &headers(), (2, 1), url));
    assert_only_update(&w, "grafana_datasource.loki", "a bumped secret version");
    w.apply();
    assert_eq!(emu.count("PUT", Some("/api/datasources/uid/:uid")) - puts, 1, "one request per update");
    assert_eq!(ds(&emu, "loki")["version"].as_i64().unwrap(), version + 1);
    w.assert_plan_empty("after the new secret version");

    // Drift on that data source alone, healed by apply: the URL ...
    change_in_grafana(&emu, "loki", |v| v["url"] = json!("https://elsewhere.example.com"));
    assert_only_update(&w, "grafana_datasource.loki", "an out-of-band URL change");
    w.apply();
    assert_eq!(ds(&emu, "loki")["url"], url);
    w.assert_plan_empty("after healing the URL");
    // ... a secret removed ...
    change_in_grafana(&emu, "loki", |v| v["secureJsonData"] = json!({"basicAuthPassword": ""}));
    assert!(!secret_keys(&ds(&emu, "loki")).contains(&"basicAuthPassword".to_string()));
    assert_only_update(&w, "grafana_datasource.loki", "an out-of-band secret removal");
    w.apply();
    assert!(secret_keys(&ds(&emu, "loki")).contains(&"basicAuthPassword".to_string()), "the secret is restored");
    w.assert_plan_empty("after restoring the secret");
    // ... and a header renamed.
    change_in_grafana(&emu, "loki", |v| v["jsonData"]["httpHeaderName2"] = json!("X-Other"));
    assert_only_update(&w, "grafana_datasource.loki", "an out-of-band header change");
    w.apply();
    assert_eq!(ds(&emu, "loki")["jsonData"]["httpHeaderName2"], "X-Scope-OrgID");
    w.assert_plan_empty("after healing the header");

    // A secret key removed from the configuration is removed from Grafana.
    w.config(&emu, &lifecycle_config(&secrets(false), &headers(), (3, 1), url));
    w.apply();
    assert_eq!(secret_keys(&ds(&emu, "loki")), vec!["basicAuthPassword", "httpHeaderValue1", "httpHeaderValue2"]);
    w.assert_plan_empty("after removing a secret");

    // Reformatted JSON is no change.
    let reformatted = lifecycle_config(&secrets(false), &headers(), (3, 1), url)
        .replace("jsonencode({ maxLines = 1000 })", "\"{ \\\"maxLines\\\": 1000.0 }\"");
    w.config(&emu, &reformatted);
    w.assert_plan_empty("reformatted json_data_encoded");

    // Import by uid (CLI) and by `1:uid` (a block): no change for a data source without secrets.
    w.ok(&["state", "rm", "grafana_datasource.amp"]);
    let r = w.ok(&["import", "-no-color", "grafana_datasource.amp", "amp-prod"]);
    assert!(r.stdout.contains("Import successful!"), "{r:?}");
    w.assert_plan_empty("after importing amp");
    w.ok(&["state", "rm", "grafana_datasource.amp"]);
    w.write("import.tf", "import {\n  to = grafana_datasource.amp\n  id = \"1:amp-prod\"\n}\n");
    crate::folder::expect_noop_import(&w, "grafana_datasource.amp");
    w.remove("import.tf");
    if tf.has_identity() {
        w.ok(&["state", "rm", "grafana_datasource.amp"]);
        w.write("import.tf", "import {\n  to       = grafana_datasource.amp\n  identity = { uid = \"amp-prod\" }\n}\n");
        crate::folder::expect_noop_import(&w, "grafana_datasource.amp");
        w.remove("import.tf");
    }

    let state_text = std::fs::read_to_string(w.dir().join("terraform.tfstate")).unwrap();
    assert_no_secret_in(&state_text, "the state");
    let r = w.ok(&["destroy", "-auto-approve", "-no-color"]);
    r.assert_summary("2 destroyed");
    assert_eq!(emu.held("datasources"), 0);
}

fn datasource_moved_between_type_names(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    let body = |ty: &str| {
        format!(
            "resource \"{ty}\" \"cw\" {{\n  name = \"CloudWatch\"\n  type = \"cloudwatch\"\n  json_data_encoded = jsonencode({{ authType = \"ec2_iam_role\", defaultRegion = \"us-east-1\" }})\n}}\n"
        )
    };
    w.config(&emu, &body("grafana_data_source"));
    w.init();
    w.apply();
    let id = emu.grafana("GET", "/api/datasources/name/CloudWatch", None).1["id"].clone();
    let writes = emu.writes();
    // To the documented name with a moved block: nothing created or destroyed.
    w.config(
        &emu,
        &format!(
            "{}\nmoved {{\n  from = grafana_data_source.cw\n  to   = grafana_datasource.cw\n}}\n",
            body("grafana_datasource")
        ),
    );
    let r = w.plan(&[]);
    assert!(r.stdout.contains("grafana_data_source.cw has moved to grafana_datasource.cw"), "{r:?}");
    assert!(!r.stdout.contains("will be created") && !r.stdout.contains("will be destroyed"), "{r:?}");
    w.apply();
    assert_eq!(emu.writes(), writes, "a move writes nothing to Grafana");
    assert_eq!(emu.grafana("GET", "/api/datasources/name/CloudWatch", None).1["id"], id);
    assert!(w.state().get("grafana_datasource.cw").is_some());
    w.assert_plan_empty("after the move");
    // And back.
    w.config(
        &emu,
        &format!(
            "{}\nmoved {{\n  from = grafana_datasource.cw\n  to   = grafana_data_source.cw\n}}\n",
            body("grafana_data_source")
        ),
    );
    w.apply();
    assert_eq!(emu.writes(), writes);
    w.assert_plan_empty("after moving back");
    w.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(emu.held("datasources"), 0);
}

fn datasource_bad_input_fails_at_plan_and_writes_nothing(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    w.config(
        &emu,
        r#"
resource "grafana_datasource" "bad_json" {
  name              = "a"
  type              = "prometheus"
  json_data_encoded = "{not json"
}
resource "grafana_datasource" "both_secrets" {
  name                        = "b"
  type                        = "prometheus"
  secure_json_data_encoded    = jsonencode({ password = "x" })
  secure_json_data_encoded_wo = jsonencode({ password = "x" })
}
resource "grafana_datasource" "headers_in_json" {
  name              = "c"
  type              = "prometheus"
  json_data_encoded = jsonencode({ httpHeaderName1 = "X-Org" })
}
resource "grafana_data_source" "pdc" {
  name                                   = "e"
  type                                   = "prometheus"
  private_data_source_connect_network_id = "pdc-1"
}
resource "grafana_datasource" "secret_not_string" {
  name                        = "d"
  type                        = "prometheus"
  secure_json_data_encoded_wo = jsonencode({ password = 42 })
}
"#,
    );
    w.init();
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    let err = r.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "Invalid json_data_encoded",
        "not valid JSON",
        "Both secure_json_data_encoded and secure_json_data_encoded_wo are set",
        "Custom headers belong in http_headers",
        "Invalid secure_json_data_encoded_wo",
        "\"password\" must be a string",
        "Private data source connect is Grafana Cloud's",
    ] {
        assert!(err.contains(want), "missing {want:?}: {err}");
    }
    assert_eq!(emu.writes(), 0, "{}", emu.stats());
}

fn datasource_amg_mistakes_are_warned_about(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    w.config(
        &emu,
        r#"
resource "grafana_datasource" "amp" {
  name = "AMP"
  type = "prometheus"
  url  = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/"
  json_data_encoded = jsonencode({
    sigV4Auth     = true
    sigV4AuthType = "workspace-iam-role"
    sigv4Region   = "us-east-1"
    assumeRoleArn = "arn:aws:iam::123456789012:role/read-amp"
    password      = "in clear"
  })
}
"#,
    );
    w.init();
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "warnings, not errors: configurations that work today keep working: {r:?}");
    let all = r.all().split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "Unknown AWS authentication type",
        "The AMG workspace's IAM role is `ec2_iam_role`",
        "Misspelt SigV4 setting",
        "write `sigV4Region`",
        "assumeRoleArn is ignored by Prometheus data sources",
        "A secret in json_data_encoded",
    ] {
        assert!(all.contains(want), "missing {want:?}: {all}");
    }
    assert_eq!(emu.writes(), 0);
}

fn datasource_conflict_names_the_existing_one(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let (s, _) = emu.grafana(
        "POST",
        "/api/datasources",
        Some(json!({"name": "Taken", "type": "prometheus", "access": "proxy", "uid": "made-by-hand"})),
    );
    assert_eq!(s, 200);
    let w = Workdir::new(tf);
    w.config(&emu, "resource \"grafana_datasource\" \"d\" {\n  name = \"Taken\"\n  type = \"loki\"\n}\n");
    w.init();
    let r = w.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let err = r.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(err.contains("A data source with this name already exists"), "{err}");
    assert!(err.contains("terraform import <address> made-by-hand"), "{err}");
    assert_eq!(emu.held("datasources"), 1);
    assert_eq!(ds(&emu, "made-by-hand")["type"], "prometheus", "the existing one is untouched");
}

fn datasource_provisioned_is_refused_but_found(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let url = format!("{}/_amg-local/workspaces/{}/provisioned/datasources", emu.control_plane_url, emu.workspace_id);
    let (s, _) = crate::support::http(
        "POST",
        &url,
        None,
        Some(json!({"name": "Provisioned", "type": "prometheus", "uid": "prov"})),
        None,
    );
    assert_eq!(s, 200);
    let writes = emu.writes();
    let w = Workdir::new(tf);
    w.config(
        &emu,
        "resource \"grafana_datasource\" \"p\" {\n  name = \"Provisioned\"\n  type = \"prometheus\"\n}\n\ndata \"grafana_datasource\" \"p\" {\n  uid = \"prov\"\n}\n\noutput \"read_only\" {\n  value = data.grafana_datasource.p.read_only\n}\n",
    );
    w.init();
    let r = w.run(&["import", "-no-color", "grafana_datasource.p", "prov"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("The data source is provisioned (read-only)"), "{r:?}");
    w.write(
        "main.tf",
        &std::fs::read_to_string(w.dir().join("main.tf")).unwrap().replace(
            "resource \"grafana_datasource\" \"p\" {\n  name = \"Provisioned\"\n  type = \"prometheus\"\n}\n",
            "",
        ),
    );
    w.apply();
    let out: Value = serde_json::from_str(&w.ok(&["output", "-json"]).stdout).unwrap();
    assert_eq!(out["read_only"]["value"], true);
    assert_eq!(emu.writes(), writes, "nothing written to a provisioned data source");
}

const CORE_PROMETHEUS_SIGV4: &str = r#"
resource "grafana_datasource" "amp" {
  name = "AMP"
  type = "prometheus"
  uid  = "amp"
  url  = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/"
  json_data_encoded = jsonencode({ sigV4Auth = true, sigV4AuthType = "ec2_iam_role", sigV4Region = "us-east-1" })
}
"#;

fn datasource_prometheus_converted_by_grafana_12_plans_nothing(tf: &Terraform) {
    let emu = Emulator::start(&["--grafana-version", "12.4", "--prometheus-sigv4-migration"]);
    let w = Workdir::new(tf);
    w.config(&emu, CORE_PROMETHEUS_SIGV4);
    w.init();
    let r = w.apply();
    assert!(r.all().contains("Grafana converted this data source"), "{r:?}");
    assert_eq!(ds(&emu, "amp")["type"], "grafana-amazonprometheus-datasource");
    let r = w.plan(&[]);
    assert_eq!(r.code, 0, "no replace loop: {r:?}");
    assert!(r.all().contains("Grafana converted this data source"), "the plan explains it: {r:?}");
    assert_eq!(w.state()["grafana_datasource.amp"]["type"], "prometheus");

    // Grafana 10.4 converts nothing, flag or not.
    let emu = Emulator::start(&["--grafana-version", "10.4", "--prometheus-sigv4-migration"]);
    let w = Workdir::new(tf);
    w.config(&emu, CORE_PROMETHEUS_SIGV4);
    w.init();
    let r = w.apply();
    assert!(!r.all().contains("Grafana converted"), "{r:?}");
    assert_eq!(ds(&emu, "amp")["type"], "prometheus");
}

/// `terraform plan -generate-config-out` adopts a data source made by hand: the generated
/// configuration carries no secret (Grafana never returns one) and, setting none, leaves the
/// ones Grafana holds alone: the plan is the import only, and the secret is still there after.
/// (`terraform query` shows a warning naming the secrets; see `adoption`.)
fn datasource_adoption_with_generate_config_out(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let (s, _) = emu.grafana(
        "POST",
        "/api/datasources",
        Some(json!({"name": "Hand made", "type": "prometheus", "access": "proxy", "uid": "hand",
                    "url": "https://prom.example.com", "jsonData": {"httpMethod": "POST"},
                    "secureJsonData": {"basicAuthPassword": "hidden"}})),
    );
    assert_eq!(s, 200);
    let w = Workdir::new(tf);
    w.config(&emu, "import {\n  to = grafana_datasource.hand\n  id = \"hand\"\n}\n");
    w.init();
    let r = w.run(&["plan", "-generate-config-out=generated.tf", "-no-color"]);
    assert!(r.code == 0 || r.code == 2, "{r:?}");
    let generated = std::fs::read_to_string(w.dir().join("generated.tf")).unwrap();
    assert!(generated.contains("resource \"grafana_datasource\" \"hand\""), "{generated}");
    assert!(!generated.contains("hidden"), "{generated}");
    crate::folder::expect_noop_import(&w, "grafana_datasource.hand");
    assert_eq!(secret_keys(&ds(&emu, "hand")), vec!["basicAuthPassword"], "the secret is left alone");
    w.assert_plan_empty("after adopting a data source that holds a secret");
    assert_eq!(emu.held("datasources"), 1);
}
