//! The official grafana/grafana provider's documentation examples, copied verbatim from its
//! repository (`examples/resources/grafana_dashboard/resource.tf`,
//! `examples/data-sources/grafana_dashboard/data-source.tf`,
//! `examples/resources/grafana_data_source/resource.tf`; MPL-2.0), apply here with only the
//! provider source swapped: the next plan is empty and destroy leaves nothing.

use serde_json::Value;

use crate::support::{Emulator, Terraform, Workdir};

on_both_terraforms!(official_documentation_examples_apply_unchanged);

const DASHBOARD_RESOURCE: &str = r#"resource "grafana_folder" "test" {
  title = "My Folder"
  uid   = "my-folder-uid"
}

resource "grafana_dashboard" "test" {
  folder = grafana_folder.test.uid
  config_json = jsonencode({
    "title" : "My Dashboard",
    "uid" : "my-dashboard-uid"
  })
}
"#;

const DASHBOARD_DATA_SOURCE: &str = r#"resource "grafana_dashboard" "test" {
  config_json = jsonencode({
    id            = 12345,
    uid           = "test-ds-dashboard-uid"
    title         = "Production Overview",
    tags          = ["templated"],
    timezone      = "browser",
    schemaVersion = 16,
    version       = 0,
    refresh       = "25s"
  })
}

data "grafana_dashboard" "from_uid" {
  depends_on = [
    grafana_dashboard.test
  ]
  uid = "test-ds-dashboard-uid"
}
"#;

const DATA_SOURCE_RESOURCE: &str = r#"resource "grafana_data_source" "arbitrary-data" {
  type = "stackdriver"
  name = "sd-arbitrary-data"

  json_data_encoded = jsonencode({
    "tokenUri"           = "https://oauth2.googleapis.com/token"
    "authenticationType" = "jwt"
    "defaultProject"     = "default-project"
    "clientEmail"        = "client-email@default-project.iam.gserviceaccount.com"
  })

  secure_json_data_encoded = jsonencode({
    "privateKey" = "-----BEGIN PRIVATE KEY-----\nprivate-key\n-----END PRIVATE KEY-----\n"
  })
}

resource "grafana_data_source" "influxdb" {
  type                = "influxdb"
  name                = "myapp-metrics"
  url                 = "http://influxdb.example.net:8086/"
  basic_auth_enabled  = true
  basic_auth_username = "username"
  database_name       = "dbname" // Example: influxdb_database.metrics.name

  json_data_encoded = jsonencode({
    authType          = "default"
    basicAuthPassword = "mypassword"
  })
}

resource "grafana_data_source" "cloudwatch" {
  type = "cloudwatch"
  name = "cw-example"

  json_data_encoded = jsonencode({
    defaultRegion = "us-east-1"
    authType      = "keys"
  })

  secure_json_data_encoded = jsonencode({
    accessKey = "123"
    secretKey = "456"
  })
}

resource "grafana_data_source" "cloudwatch_assumeARN" {
  type = "cloudwatch"
  name = "cw-assumeARN-example"

  # Requires `assume_role_enabled` feature flag to be enabled
  # OSS: use authType = "default" on OSS
  # Cloud: use authType = "grafana_assume_role" which is in private preview on Cloud:
  # https://grafana.com/docs/grafana/latest/datasources/aws-cloudwatch/aws-authentication/#use-grafana-assume-role
  json_data_encoded = jsonencode({
    defaultRegion = "us-east-1"
    authType      = "grafana_assume_role"
    assumeRoleArn = "arn:aws:iam::123456789012:root"
  })
}

resource "grafana_data_source" "prometheus" {
  type                = "prometheus"
  name                = "mimir"
  url                 = "https://my-instances.com"
  basic_auth_enabled  = true
  basic_auth_username = "username"

  json_data_encoded = jsonencode({
    httpMethod        = "POST"
    prometheusType    = "Mimir"
    prometheusVersion = "2.4.0"
  })

  secure_json_data_encoded = jsonencode({
    basicAuthPassword = "password"
  })
}
"#;

fn apply_plan_destroy(tf: &Terraform, emu: &Emulator, example: &str, added: usize) -> Value {
    let w = Workdir::new(tf);
    w.config(emu, example);
    w.init();
    let r = w.apply();
    r.assert_summary(&format!("{added} added, 0 changed, 0 destroyed"));
    let state = w.state();
    w.assert_plan_empty("an official example");
    w.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    for kind in ["folders", "dashboards", "datasources"] {
        assert_eq!(emu.held(kind), 0, "{kind} left after destroy");
    }
    state
}

fn official_documentation_examples_apply_unchanged(tf: &Terraform) {
    let emu = Emulator::start(&[]);

    apply_plan_destroy(tf, &emu, DASHBOARD_RESOURCE, 2);

    let state = apply_plan_destroy(tf, &emu, DASHBOARD_DATA_SOURCE, 1);
    let found = &state["data.grafana_dashboard.from_uid"];
    assert_eq!(found["title"], "Production Overview");
    assert_eq!(found["slug"], "production-overview");
    assert_eq!(found["is_starred"], false);
    assert_eq!(found["folder_uid"], Value::Null, "in the General folder");
    assert_eq!(found["id"], "1:test-ds-dashboard-uid");
    assert!(found["dashboard_id"].as_i64().is_some_and(|id| id > 0), "{found}");

    // The official lookup by numeric id.
    let by_id = format!(
        "{DASHBOARD_DATA_SOURCE}\ndata \"grafana_dashboard\" \"from_id\" {{\n  dashboard_id = grafana_dashboard.test.dashboard_id\n}}\n"
    );
    let state = apply_plan_destroy(tf, &emu, &by_id, 1);
    assert_eq!(state["data.grafana_dashboard.from_id"]["uid"], "test-ds-dashboard-uid");

    let state = apply_plan_destroy(tf, &emu, DATA_SOURCE_RESOURCE, 5);
    assert_eq!(
        state["grafana_data_source.cloudwatch"]["secure_json_fields"],
        serde_json::json!(["accessKey", "secretKey"])
    );
    assert_eq!(state["grafana_data_source.influxdb"]["database_name"], "dbname");
}
