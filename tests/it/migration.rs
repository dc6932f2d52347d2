//! State written by the official grafana/grafana provider migrates with
//! `terraform state replace-provider` and an empty plan.
//!
//! The fixtures are built as the official provider (a Go SDKv2 provider, v4) writes its state,
//! from its published schema: schema versions folder 0, dashboard 1, data source 1, contact point
//! and rule group 0; `id` `<orgID>:<uid>` (org 0 for folders and dashboards with a token, 1 for
//! data sources; `<orgID>:<folderUID>:<name>` for rule groups);
//! optional strings nobody set written as `""`; `config_json` and `json_data_encoded` as Go's
//! `json.Marshal` writes them (keys sorted, compact); `private` holding SDKv2's
//! `{"schema_version": "<n>"}`. Attributes it has and this provider does not would be dropped.

use serde_json::{Value, json};

use crate::support::{Emulator, GrafanaAdmin, Terraform, Workdir};

on_both_terraforms!(official_state_migrates_with_replace_provider);

fn instance(type_name: &str, name: &str, version: i64, attributes: Value) -> Value {
    let private = match version {
        0 => "eyJzY2hlbWFfdmVyc2lvbiI6IjAifQ==",
        _ => "eyJzY2hlbWFfdmVyc2lvbiI6IjEifQ==",
    };
    json!({
        "mode": "managed",
        "type": type_name,
        "name": name,
        "provider": "provider[\"registry.terraform.io/grafana/grafana\"]",
        "instances": [{
            "schema_version": version,
            "attributes": attributes,
            "sensitive_attributes": [],
            "private": private,
        }]
    })
}

/// `terraform state replace-provider` from the official provider to this one.
fn replace_provider(w: &Workdir) {
    let r = w.ok(&[
        "state",
        "replace-provider",
        "-auto-approve",
        "-no-color",
        "registry.terraform.io/grafana/grafana",
        "registry.terraform.io/amg-oss/grafana",
    ]);
    assert!(r.stdout.contains("Successfully replaced provider"), "{r:?}");
}

fn official_state_migrates_with_replace_provider(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    // What the official provider created.
    assert_eq!(
        emu.grafana("POST", "/api/folders", Some(json!({"uid": "mig-folder", "title": "Terraform Test Folder"}))).0,
        200
    );
    let model = json!({"title": "My Dashboard Title", "uid": "mig-dash", "panels": [{"id": 1, "type": "text", "title": "Notes"}]});
    let (s, saved) =
        emu.grafana("POST", "/api/dashboards/db", Some(json!({"dashboard": model, "folderUid": "mig-folder"})));
    assert_eq!(s, 200);
    let json_data = json!({"authType": "ec2_iam_role", "defaultRegion": "us-east-1"});
    let ds =
        json!({"uid": "mig-ds", "name": "cw-example", "type": "cloudwatch", "access": "proxy", "jsonData": json_data});
    let (s, _) = emu.grafana("POST", "/api/datasources", Some(ds));
    assert_eq!(s, 200);
    let email = json!({"name": "My Contact Point", "type": "email", "disableResolveMessage": false, "settings": {
        "addresses": "one@company.org;two@company.org", "message": "{{ len .Alerts.Firing }} firing.",
        "subject": "{{ template \"default.title\" .}}", "singleEmail": true}});
    let (s, email) = emu.grafana("POST", "/api/v1/provisioning/contact-points", Some(email));
    assert_eq!(s, 202);
    let group = json!({"interval": 240, "rules": [{"title": "My Alert Rule 1", "condition": "A", "for": "2m",
        "noDataState": "NoData", "execErrState": "Alerting", "labels": {"e": "f"}, "data": [{"refId": "A",
        "datasourceUid": "PD8C576611E62080A", "relativeTimeRange": {"from": 600, "to": 0},
        "model": {"hide": false, "refId": "A"}}]}]});
    let group_path = "/api/v1/provisioning/folder/mig-folder/rule-groups/My%20Rule%20Group";
    assert_eq!(emu.grafana("PUT", group_path, Some(group)).0, 200);
    let rule_uid = emu.grafana("GET", group_path, None).1["rules"][0]["uid"].clone();
    let base = &emu.grafana_url;

    let w = Workdir::new(tf);
    // The official provider's documentation examples, with only the provider source swapped.
    w.config(
        &emu,
        r#"
resource "grafana_folder" "my_folder" {
  title = "Terraform Test Folder"
  uid   = "mig-folder"
}

resource "grafana_dashboard" "test_folder" {
  folder = grafana_folder.my_folder.id
  config_json = jsonencode({
    "title" : "My Dashboard Title",
    "uid" : "mig-dash",
    "panels" : [{ "id" : 1, "type" : "text", "title" : "Notes" }]
  })
}

resource "grafana_data_source" "cloudwatch" {
  type = "cloudwatch"
  name = "cw-example"
  uid  = "mig-ds"

  json_data_encoded = jsonencode({
    defaultRegion = "us-east-1"
    authType      = "ec2_iam_role"
  })
}

resource "grafana_contact_point" "my_contact_point" {
    name = "My Contact Point"

   email {
        addresses = ["one@company.org", "two@company.org"]
        message = "{{ len .Alerts.Firing }} firing."
        subject = "{{ template \"default.title\" .}}"
        single_email = true
        disable_resolve_message = false
    }
}

resource "grafana_rule_group" "my_alert_rule" {
  name             = "My Rule Group"
  folder_uid       = grafana_folder.my_folder.uid
  interval_seconds = 240
  org_id           = 1
  rule {
    name           = "My Alert Rule 1"
    for            = "2m"
    condition      = "A"
    labels = {
      "e" = "f"
    }
    data {
      ref_id     = "A"
      relative_time_range {
        from = 600
        to   = 0
      }
      datasource_uid = "PD8C576611E62080A"
      model = jsonencode({
        hide          = false
        intervalMs    = 1000
        maxDataPoints = 43200
        refId         = "A"
      })
    }
  }
}
"#,
    );
    let state = json!({
        "version": 4,
        "terraform_version": "1.11.4",
        "serial": 3,
        "lineage": "7d2b7d0e-4c55-4bd8-a0ff-6f3b2f8f0c11",
        "outputs": {},
        "resources": [
            instance("grafana_folder", "my_folder", 0, json!({
                "id": "0:mig-folder", "org_id": "0", "parent_folder_uid": "", "prevent_destroy_if_not_empty": false,
                "title": "Terraform Test Folder", "uid": "mig-folder", "url": format!("{base}/dashboards/f/mig-folder/terraform-test-folder"),
            })),
            instance("grafana_dashboard", "test_folder", 1, json!({
                "config_json": "{\"panels\":[{\"title\":\"Notes\",\"type\":\"text\"}],\"title\":\"My Dashboard Title\",\"uid\":\"mig-dash\"}",
                "dashboard_id": saved["id"], "folder": "0:mig-folder", "id": "0:mig-dash", "message": "", "org_id": "0",
                "overwrite": null, "uid": "mig-dash", "url": format!("{base}/d/mig-dash/my-dashboard-title"), "version": 1,
            })),
            instance("grafana_data_source", "cloudwatch", 1, json!({
                "access_mode": "proxy", "basic_auth_enabled": false, "basic_auth_username": "", "database_name": "",
                "http_headers": null, "id": "1:mig-ds", "is_default": false,
                "json_data_encoded": "{\"authType\":\"ec2_iam_role\",\"defaultRegion\":\"us-east-1\"}",
                "name": "cw-example", "org_id": "1", "private_data_source_connect_network_id": "",
                "secure_json_data_encoded": "", "type": "cloudwatch", "uid": "mig-ds", "url": "", "username": "",
            })),
            instance("grafana_contact_point", "my_contact_point", 0, json!({
                "id": "0:My Contact Point", "org_id": "0", "name": "My Contact Point", "disable_provenance": false,
                "email": [{"uid": email["uid"], "addresses": ["one@company.org", "two@company.org"],
                    "message": "{{ len .Alerts.Firing }} firing.", "subject": "{{ template \"default.title\" .}}",
                    "single_email": true, "disable_resolve_message": false, "settings": {}}],
                "alertmanager": [], "dingding": [], "discord": [], "googlechat": [], "kafka": [], "line": [],
                "mqtt": [], "oncall": [], "opsgenie": [], "pagerduty": [], "pushover": [], "sensugo": [], "slack": [],
                "sns": [], "teams": [], "telegram": [], "threema": [], "victorops": [], "webex": [], "webhook": [],
                "wecom": [],
            })),
            // Go's duration text, the model without Grafana's defaults and keys sorted, empty
            // maps and lists for what nobody set.
            instance("grafana_rule_group", "my_alert_rule", 0, json!({
                "id": "1:mig-folder:My Rule Group", "org_id": "1", "name": "My Rule Group", "folder_uid": "mig-folder",
                "interval_seconds": 240, "disable_provenance": false, "rule": [{"uid": rule_uid,
                "name": "My Alert Rule 1", "for": "2m0s", "no_data_state": "NoData", "exec_err_state": "Alerting",
                "condition": "A", "annotations": {}, "labels": {"e": "f"}, "is_paused": false,
                "notification_settings": [], "record": [], "data": [{"ref_id": "A",
                "datasource_uid": "PD8C576611E62080A", "query_type": "", "model": "{\"hide\":false,\"refId\":\"A\"}",
                "relative_time_range": [{"from": 600, "to": 0}]}]}],
            })),
        ],
        "check_results": null,
    });
    w.write("terraform.tfstate", &serde_json::to_string_pretty(&state).unwrap());
    replace_provider(&w);
    w.init();
    let writes = emu.writes();
    let r = w.plan(&[]);
    assert_eq!(r.code, 0, "the plan after replace-provider is not empty: {r:?}");
    assert_eq!(emu.writes(), writes);
    // An apply with nothing to do writes the upgraded state (`show -json` reads no older one);
    // the ids keep the form they had.
    let r = w.apply();
    r.assert_summary("0 added, 0 changed, 0 destroyed");
    assert_eq!(emu.writes(), writes);
    let st = w.state();
    assert_eq!(st["grafana_folder.my_folder"]["id"], "0:mig-folder");
    assert_eq!(st["grafana_dashboard.test_folder"]["id"], "0:mig-dash");
    assert_eq!(st["grafana_data_source.cloudwatch"]["id"], "1:mig-ds");
    assert_eq!(st["grafana_contact_point.my_contact_point"]["id"], "0:My Contact Point");
    assert_eq!(st["grafana_rule_group.my_alert_rule"]["id"], "1:mig-folder:My Rule Group");
    w.assert_plan_empty("after the first apply with this provider");
    assert_eq!(emu.held("dashboards"), 1);
    let (_, d) = emu.grafana("GET", "/api/dashboards/uid/mig-dash", None);
    assert_eq!(d["dashboard"]["id"], saved["id"], "the same dashboard, never re-created");
}

/// The official provider with `store_dashboard_sha256 = true` keeps the hex SHA-256 of its own
/// normalisation (Go's `json.Marshal` of the model without `id` and `version`), which is not
/// ours: the refresh hashes what Grafana holds our way, so the plan is empty and nothing is
/// written; the state takes our hash at the first apply.
#[test]
fn official_sha256_state_migrates_without_a_write() {
    let tf = crate::support::terraform("1.11.4");
    let emu = Emulator::start(&[]);
    let model = json!({"title": "Hashed", "uid": "mig-sha", "panels": [{"id": 1, "type": "text", "title": "Notes"}]});
    let (s, saved) = emu.grafana("POST", "/api/dashboards/db", Some(json!({"dashboard": model})));
    assert_eq!(s, 200);
    // A hash in the official form (64 hex digits); ours is of another normalisation.
    let official_hash = "0d5e2f3a5b0c1e2d3f4a5b6c7d8e9f00112233445566778899aabbccddeeff0";
    let w = Workdir::new(&tf);
    w.write(
        "main.tf",
        &format!(
            "{}\nprovider \"grafana\" {{\n  url  = \"{}\"\n  auth = \"{}\"\n  store_dashboard_sha256 = true\n}}\n\nresource \"grafana_dashboard\" \"hashed\" {{\n  config_json = jsonencode({{ title = \"Hashed\", uid = \"mig-sha\", panels = [{{ id = 1, type = \"text\", title = \"Notes\" }}] }})\n}}\n",
            crate::support::REQUIRED,
            emu.grafana_url,
            emu.admin_token
        ),
    );
    let state = json!({
        "version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "0b0f4c8e-52a5-4d4e-9b5e-3d0f2c1a7e66", "outputs": {},
        "resources": [instance("grafana_dashboard", "hashed", 1, json!({
            "config_json": official_hash, "dashboard_id": saved["id"], "folder": "", "id": "0:mig-sha", "message": "",
            "org_id": "0", "overwrite": null, "uid": "mig-sha", "url": format!("{}/d/mig-sha/hashed", emu.grafana_url), "version": 1,
        }))],
        "check_results": null,
    });
    w.write("terraform.tfstate", &serde_json::to_string_pretty(&state).unwrap());
    replace_provider(&w);
    w.init();
    let writes = emu.writes();
    let r = w.plan(&[]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = w.apply();
    r.assert_summary("0 added, 0 changed, 0 destroyed");
    assert_eq!(emu.writes(), writes, "Grafana already held the configuration");
    let ours = w.state()["grafana_dashboard.hashed"]["config_json"].as_str().unwrap().to_string();
    assert!(ours.len() == 64 && ours != official_hash, "{ours}");
    w.assert_plan_empty("after the first apply with this provider");
    let (_, d) = emu.grafana("GET", "/api/dashboards/uid/mig-sha", None);
    assert_eq!(d["dashboard"]["version"], 1, "never saved again");
}
