//! The real AWS provider (5.100.0, from the machine image) is a third-party client of
//! amg-local's control plane; and our provider works on the workspace it creates, in the
//! same plan, with a URL and token unknown until apply.

use serde_json::json;

use crate::support::{Emulator, Terraform, Workdir};

on_both_terraforms!(aws_provider_and_grafana_provider_in_one_plan);

fn config(emu: &Emulator, folder: bool) -> String {
    let mut c = format!(
        r#"
{required}
{aws}
resource "aws_grafana_workspace" "ws" {{
  name                     = "tf-test"
  account_access_type      = "CURRENT_ACCOUNT"
  authentication_providers = ["AWS_SSO"]
  permission_type          = "SERVICE_MANAGED"
  grafana_version          = "12.4"
  tags                     = {{ team = "platform" }}
}}

resource "aws_grafana_workspace_service_account" "sa" {{
  name         = "terraform"
  grafana_role = "ADMIN"
  workspace_id = aws_grafana_workspace.ws.id
}}

resource "aws_grafana_workspace_service_account_token" "t" {{
  name               = "tf-run"
  service_account_id = aws_grafana_workspace_service_account.sa.service_account_id
  seconds_to_live    = 3600
  workspace_id       = aws_grafana_workspace.ws.id
}}

provider "grafana" {{
  url  = "http://${{aws_grafana_workspace.ws.endpoint}}"
  auth = aws_grafana_workspace_service_account_token.t.key
}}
"#,
        required = crate::support::REQUIRED_WITH_AWS,
        aws = crate::support::aws_provider_block(&emu.control_plane_url, true)
    );
    if folder {
        c.push_str("\nresource \"grafana_folder\" \"f\" {\n  title = \"In the new workspace\"\n}\n");
    }
    c
}

fn aws_provider_and_grafana_provider_in_one_plan(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::with_aws(tf);
    w.write("main.tf", &config(&emu, true));
    w.init();
    let r = w.apply();
    r.assert_summary("4 added, 0 changed, 0 destroyed");
    let r = w.plan(&[]);
    assert_eq!(r.code, 0, "the second plan is not empty: {r:?}");
    // The AWS provider (SDKv2) stores empty lists as null on create and reads them back as [],
    // so its own refresh-only plan is never empty; ours must not add to it.
    w.ok(&["plan", "-refresh-only", "-input=false", "-no-color", "-out=refresh.plan"]);
    let drift = w.show_json(Some("refresh.plan"))["resource_drift"].clone();
    let ours: Vec<&serde_json::Value> = drift
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["type"].as_str().unwrap_or("").starts_with("grafana_"))
        .collect();
    assert!(ours.is_empty(), "our resources drift after apply: {ours:?}");

    let state = w.state();
    let ws = &state["aws_grafana_workspace.ws"];
    let id = ws["id"].as_str().unwrap();
    assert!(id.starts_with("g-") && id.len() == 12, "{id}");
    assert_eq!(ws["grafana_version"], "12.4");
    assert_eq!(ws["tags"], json!({"team": "platform"}));
    // The emulator holds the workspace with its service account, token and folder.
    let held = &emu.stats()["workspaces"][id];
    assert_eq!(held["service_accounts"], 1, "{held}");
    assert_eq!(held["live_tokens"], 1, "{held}");
    assert_eq!(held["folders"], 1, "{held}");
    let endpoint = ws["endpoint"].as_str().unwrap();
    assert!(!endpoint.contains("://"), "DescribeWorkspace.endpoint must be a bare host:port: {endpoint}");
    // The token Terraform stored works on that workspace's Grafana API.
    let key = state["aws_grafana_workspace_service_account_token.t"]["key"].as_str().unwrap();
    let (status, folders) =
        crate::support::http("GET", &format!("http://{endpoint}/api/folders"), Some(key), None, None);
    assert_eq!(status, 200);
    assert_eq!(folders[0]["title"], "In the new workspace");

    // Destroy removes everything, the workspace included.
    let r = w.ok(&["destroy", "-auto-approve", "-no-color"]);
    r.assert_summary("4 destroyed");
    // DeleteWorkspace answers DELETING; the workspace goes a moment later, as on AWS.
    crate::support::wait_until(&format!("workspace {id} to be gone"), std::time::Duration::from_secs(10), || {
        emu.stats()["workspaces"].get(id).is_none()
    });
}
