//! The ephemeral resource `grafana_amg_token` (Terraform 1.10 and later): a token minted for
//! the run signs a second provider block in, and nothing of it outlives the run.

use crate::amg_auth::workdir;
use crate::support::{Emulator, GrafanaAdmin, REQUIRED, Terraform};

on_both_terraforms!(an_ephemeral_token_signs_a_second_provider_in_and_nothing_of_it_outlives_the_run);

const EDITOR_SA: &str = "terraform-provider-grafana-editor";

/// The editor service account's tokens in the emulator's workspace: (live, total).
fn editor_tokens(emu: &Emulator) -> (u64, u64) {
    crate::amg_auth::tokens_of(emu, &emu.workspace_id, EDITOR_SA)
}

fn an_ephemeral_token_signs_a_second_provider_in_and_nothing_of_it_outlives_the_run(tf: &Terraform) {
    let emu = Emulator::start(&["--tls"]);
    let ca = emu.ca_cert_file.clone().expect("amg-local --tls");
    // The provider itself in URL mode with the admin token: the ephemeral resource finds its
    // own AWS credentials (the environment's) and is told the workspace.
    let config = format!(
        r#"{REQUIRED}
provider "grafana" {{
  url     = "{url}"
  auth    = "{admin}"
  ca_cert = "{ca}"
}}

ephemeral "grafana_amg_token" "editor" {{
  workspace_id = "{ws}"
  grafana_role = "EDITOR"
  ttl_seconds  = 600
}}

provider "grafana" {{
  alias   = "editor"
  url     = ephemeral.grafana_amg_token.editor.url
  auth    = ephemeral.grafana_amg_token.editor.token
  ca_cert = "{ca}"
}}

resource "grafana_folder" "team" {{
  provider = grafana.editor
  title    = "Made with an editor's token"
  uid      = "ephemeral-team"
}}
"#,
        url = emu.grafana_url,
        admin = emu.admin_token,
        ws = emu.workspace_id,
    );
    let w = workdir(tf, &emu, false);
    w.write("main.tf", &config);
    w.init();
    let r = w.apply();
    r.assert_summary("1 added, 0 changed, 0 destroyed");
    let (status, folder) = emu.grafana("GET", "/api/folders/ephemeral-team", None);
    assert_eq!((status, folder["title"].as_str()), (200, Some("Made with an editor's token")));
    // Minted under the editor's service account, and deleted when Terraform closed it.
    let (live, total) = editor_tokens(&emu);
    assert!(total == 0 && live == 0, "editor tokens left: {live} live, {total} in all");
    let minted = emu.count("POST", Some("/workspaces/:id/serviceaccounts/:sa/tokens"));
    assert!(minted >= 1, "no token was minted through the control plane");
    // Nothing of the token in the state: not its value, not the ephemeral resource.
    let state = std::fs::read_to_string(w.dir().join("terraform.tfstate")).unwrap();
    assert!(!state.contains("glsa_"), "a token in the state: {state}");
    let parsed: serde_json::Value = serde_json::from_str(&state).unwrap();
    let types: Vec<&str> = parsed["resources"].as_array().unwrap().iter().filter_map(|r| r["type"].as_str()).collect();
    assert_eq!(types, ["grafana_folder"], "only the folder is stored (its dependencies name the ephemeral resource)");
    assert!(!r.all().contains("glsa_"), "a token in Terraform's output: {r:?}");

    w.assert_plan_empty("with an ephemeral token");
    let (live, total) = editor_tokens(&emu);
    assert!(total == 0 && live == 0, "after the plan: {live} live, {total} in all");
    let r = w.ok(&["destroy", "-auto-approve", "-no-color"]);
    r.assert_summary("1 destroyed");
    assert_eq!(emu.grafana("GET", "/api/folders/ephemeral-team", None).0, 404);
    assert_eq!(editor_tokens(&emu), (0, 0), "after the destroy");
}
