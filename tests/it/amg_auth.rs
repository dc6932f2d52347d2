//! AMG-native auth: the provider block names a workspace, the AWS credentials come from the
//! environment, and the provider mints (and deletes) its own short-lived Grafana token through
//! amg-local's control plane, which it reaches with `AWS_ENDPOINT_URL_GRAFANA` as the AWS SDK
//! does. Grafana itself is served over TLS (`--tls`), trusted with `ca_cert`.

use std::time::Instant;

use serde_json::{Value, json};

use crate::support::{Emulator, REQUIRED, Terraform, Workdir};

on_both_terraforms!(
    a_workspace_id_and_aws_credentials_are_all_the_provider_needs,
    a_token_that_expires_or_is_revoked_mid_run_is_minted_again,
);

/// The service account the provider mints admin tokens under.
pub const SA: &str = "terraform-provider-grafana-admin";

/// A working directory whose Terraform runs have AWS credentials for amg-local in the
/// environment, and no way to any other AWS configuration (no shared files, no instance
/// metadata: nothing leaves loopback).
pub fn workdir(tf: &Terraform, emu: &Emulator, aws: bool) -> Workdir {
    let mut w = if aws { Workdir::with_aws(tf) } else { Workdir::new(tf) };
    isolate_aws(&mut w, emu);
    w.env("AWS_ACCESS_KEY_ID", "AKIDAMGLOCAL");
    w.env("AWS_SECRET_ACCESS_KEY", "amg-local-secret-key");
    w
}

pub fn isolate_aws(w: &mut Workdir, emu: &Emulator) {
    let none = w.dir().join("no-such-aws-file").display().to_string();
    for (k, v) in [
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL_GRAFANA", emu.control_plane_url.as_str()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", none.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", none.as_str()),
        ("AWS_PROFILE", ""),
        ("AWS_ACCESS_KEY_ID", ""),
        ("AWS_SECRET_ACCESS_KEY", ""),
        ("AWS_SESSION_TOKEN", ""),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", ""),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", ""),
        ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", ""),
        ("GRAFANA_URL", ""),
        ("GRAFANA_AUTH", ""),
    ] {
        w.env(k, v);
    }
}

pub fn provider_block(emu: &Emulator, workspace: &str, extra: &str) -> String {
    format!(
        "provider \"grafana\" {{\n  workspace_id = {workspace}\n  ca_cert      = \"{}\"\n{extra}}}\n",
        emu.ca_cert_file.as_deref().expect("amg-local --tls")
    )
}

const OBJECTS: &str = r#"
resource "grafana_folder" "team" {
  title = "Team (AMG auth)"
}

resource "grafana_dashboard" "overview" {
  folder      = grafana_folder.team.uid
  config_json = jsonencode({ title = "Overview (AMG auth)", panels = [] })
}

resource "grafana_data_source" "amp" {
  type = "prometheus"
  name = "AMP (AMG auth)"
  url  = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1234"
  json_data_encoded = jsonencode({ sigV4Auth = true, sigV4AuthType = "ec2_iam_role", sigV4Region = "us-east-1" })
}
"#;

/// The provider's tokens in workspace `ws`: (live, total) in its admin service account.
pub fn tokens(emu: &Emulator, ws: &str) -> (u64, u64) {
    tokens_of(emu, ws, SA)
}

/// The tokens of service account `sa` in workspace `ws`: (live, total).
pub fn tokens_of(emu: &Emulator, ws: &str, sa: &str) -> (u64, u64) {
    let s = &emu.stats()["workspaces"][ws]["tokens_by_service_account"][sa];
    (s["live"].as_u64().unwrap_or(0), s["total"].as_u64().unwrap_or(0))
}

/// Service accounts in `ws` named like the provider's.
fn provider_service_accounts(emu: &Emulator, ws: &str) -> Vec<String> {
    emu.stats()["workspaces"][ws]["tokens_by_service_account"]
        .as_object()
        .map(|m| m.keys().filter(|k| k.starts_with("terraform-provider-grafana")).cloned().collect())
        .unwrap_or_default()
}

/// Control-plane requests answered so far (every route outside `/_amg-local/` and `/api/`).
pub fn control_plane_calls(emu: &Emulator) -> u64 {
    emu.stats()["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| {
            let route = r["route"].as_str().unwrap_or("");
            !route.starts_with("/api/") && !route.starts_with("/_amg-local") && route != "/healthz"
        })
        .map(|r| r["count"].as_u64().unwrap_or(0))
        .sum()
}

pub fn assert_nothing_live(emu: &Emulator, ws: &str, after: &str) {
    let (live, total) = tokens(emu, ws);
    assert_eq!(live, 0, "a token of the provider is still live after {after}");
    assert_eq!(total, 0, "the provider left {total} (expired) tokens after {after}");
    assert!(provider_service_accounts(emu, ws).len() <= 1, "after {after}: {:?}", provider_service_accounts(emu, ws));
}

fn a_workspace_id_and_aws_credentials_are_all_the_provider_needs(tf: &Terraform) {
    let emu = Emulator::start(&["--tls"]);
    let ws = emu.workspace_id.clone();
    let mut w = workdir(tf, &emu, false);
    w.write("main.tf", &format!("{REQUIRED}\n{}\n{OBJECTS}", provider_block(&emu, &format!("\"{ws}\""), "")));
    w.init();

    // validate and a plan of new resources only: no AWS call, nothing minted.
    w.ok(&["validate", "-no-color"]);
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(control_plane_calls(&emu), 0, "validate and a plan of new resources called AMG");

    let mut per_command = Vec::new();
    let measure = |emu: &Emulator, what: &str, f: &dyn Fn()| {
        let (calls, t) = (control_plane_calls(emu), Instant::now());
        f();
        assert_nothing_live(emu, &ws, what);
        format!("{what}: {} control-plane calls, {:.2} s", control_plane_calls(emu) - calls, t.elapsed().as_secs_f64())
    };
    per_command.push(measure(&emu, "apply", &|| {
        let r = w.apply();
        r.assert_summary("3 added, 0 changed, 0 destroyed");
    }));
    assert_eq!(emu.held("folders"), 1);
    assert_eq!(emu.held("dashboards"), 1);
    assert_eq!(emu.held("datasources"), 1);
    per_command.push(measure(&emu, "plan and refresh-only plan", &|| w.assert_plan_empty("after an AMG-auth apply")));

    // Twenty runs in a row: one service account, no token left, nothing piling up to the cap.
    let before = control_plane_calls(&emu);
    for i in 0..20 {
        let r = w.plan(&[]);
        assert_eq!(r.code, 0, "run {i}: {r:?}");
        assert_nothing_live(&emu, &ws, &format!("run {i} of 20"));
    }
    per_command.push(format!("20 refresh plans: {} control-plane calls", control_plane_calls(&emu) - before));
    assert_eq!(provider_service_accounts(&emu, &ws), vec![SA.to_string()]);

    // The token is never written anywhere Terraform keeps things, nor in a TRACE log.
    let state = std::fs::read_to_string(w.dir().join("terraform.tfstate")).unwrap();
    assert!(!state.contains("glsa_"), "a token in the state");
    let log = w.dir().join("trace.log");
    w.env("TF_LOG", "TRACE");
    w.env("TF_LOG_PATH", log.to_str().unwrap());
    let r = w.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(r.code, 0, "{r:?}");
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("minted a Grafana token"), "the TRACE log shows the provider's lines");
    assert!(!log.contains("glsa_") && !r.all().contains("glsa_"), "a token in a TRACE log");

    per_command.push(measure(&emu, "destroy", &|| {
        w.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    }));
    assert_eq!(emu.held("folders") + emu.held("dashboards") + emu.held("datasources"), 0);
    eprintln!("AMG auth on Terraform {}:\n  {}", tf.version, per_command.join("\n  "));

    // The guide's IAM policy allows every action the provider called, and nothing else.
    let policy_in = |doc: &str| {
        let text = std::fs::read_to_string(format!("{}/docs/{doc}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let p = &text[text.find("```json").unwrap()..];
        p[..p.find("\n```\n").unwrap()].to_string()
    };
    let policy = &policy_in("guides/amg-native-auth.md");
    assert_eq!(policy, &policy_in("templates/index.md"), "the index's IAM policy is the guide's");
    let mut called: Vec<&str> = emu.stats()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| match (r["method"].as_str().unwrap(), r["route"].as_str().unwrap()) {
            ("GET", "/workspaces/:id") => Some("grafana:DescribeWorkspace"),
            ("GET", "/workspaces/:id/serviceaccounts") => Some("grafana:ListWorkspaceServiceAccounts"),
            ("POST", "/workspaces/:id/serviceaccounts") => Some("grafana:CreateWorkspaceServiceAccount"),
            ("GET", "/workspaces/:id/serviceaccounts/:sa/tokens") => Some("grafana:ListWorkspaceServiceAccountTokens"),
            ("POST", "/workspaces/:id/serviceaccounts/:sa/tokens") => {
                Some("grafana:CreateWorkspaceServiceAccountToken")
            }
            ("DELETE", "/workspaces/:id/serviceaccounts/:sa/tokens/:token") => {
                Some("grafana:DeleteWorkspaceServiceAccountToken")
            }
            (m, route) if !route.starts_with("/api/") && !route.starts_with("/_amg-local") => {
                panic!("an unexpected AMG call {m} {route}")
            }
            _ => None,
        })
        .collect();
    called.sort();
    called.dedup();
    let mut allowed: Vec<&str> = policy.split('"').filter(|w| w.starts_with("grafana:")).collect();
    allowed.sort();
    assert_eq!(called, allowed, "the guide's IAM policy");
}

fn a_token_that_expires_or_is_revoked_mid_run_is_minted_again(tf: &Terraform) {
    let emu = Emulator::start(&["--tls"]);
    let ws = emu.workspace_id.clone();
    let w = workdir(tf, &emu, false);
    // Folder a is made with the first token; then every token of the workspace is expired
    // (as a revocation, or a clock that disagrees, would leave it) and b must get a 401, a new
    // token and one retry; then the run outlives the 5 s TTL and c gets a token minted ahead
    // of expiry.
    let expire = format!("curl -sf -X POST {}/_amg-local/workspaces/{ws}/expire-credentials", emu.control_plane_url);
    let config = format!(
        r#"{REQUIRED}
{provider}
resource "grafana_folder" "a" {{
  title = "a"
}}
resource "terraform_data" "expire" {{
  depends_on = [grafana_folder.a]
  provisioner "local-exec" {{
    command = "{expire}"
  }}
}}
resource "grafana_folder" "b" {{
  depends_on = [terraform_data.expire]
  title      = "b"
}}
resource "terraform_data" "outlive_the_ttl" {{
  depends_on = [grafana_folder.b]
  provisioner "local-exec" {{
    command = "sleep 6"
  }}
}}
resource "grafana_folder" "c" {{
  depends_on = [terraform_data.outlive_the_ttl]
  title      = "c"
}}
"#,
        provider = provider_block(&emu, &format!("\"{ws}\""), "  token_ttl_seconds = 5\n"),
    );
    w.write("main.tf", &config);
    w.init();
    let r = w.apply();
    r.assert_summary("5 added, 0 changed, 0 destroyed");
    assert_eq!(emu.held("folders"), 3);
    let mints = emu.count("POST", Some("/workspaces/:id/serviceaccounts/:sa/tokens"));
    assert!((3..=4).contains(&mints), "one token at first, one after the 401, one before the TTL ran out: {mints}");
    assert_eq!(tokens(&emu, &ws).0, 0, "a token of the provider is still live");
    let refused = emu.stats()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == 401)
        .map(|r| r["count"].as_u64().unwrap_or(0))
        .sum::<u64>();
    assert_eq!(refused, 1, "exactly one request met the expired token, and was retried once with a new one");
}

/// A control-plane call signed with SigV4 by curl (`--aws-sigv4`), as any AWS client signs it.
pub fn signed_call(emu: &Emulator, method: &str, path: &str, body: &Value) -> Value {
    let out = std::process::Command::new("curl")
        .args([
            "-sS",
            "-X",
            method,
            "--aws-sigv4",
            "aws:amz:us-east-1:grafana",
            "--user",
            "AKIDAMGLOCAL:amg-local-secret-key",
        ])
        .args(["-H", "content-type: application/json", "--data", &body.to_string()])
        .arg(format!("{}{path}", emu.control_plane_url))
        .output()
        .expect("curl");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{method} {path}: {}", String::from_utf8_lossy(&out.stdout)))
}

// ---- failures: each a diagnostic that says what to do, quickly ----

#[test]
fn missing_credentials_an_unknown_workspace_and_a_workspace_still_creating_get_clear_diagnostics() {
    let tf = crate::support::terraform("1.11.4");
    let emu = Emulator::start(&["--tls", "--settle-ms", "4000"]);
    let folder = "resource \"grafana_folder\" \"f\" {\n  title = \"f\"\n}\n";

    // No credentials anywhere (instance metadata disabled, as a test must not leave loopback).
    let mut w = Workdir::new(&tf);
    isolate_aws(&mut w, &emu);
    w.write(
        "main.tf",
        &format!("{REQUIRED}\n{}\n{folder}", provider_block(&emu, &format!("\"{}\"", emu.workspace_id), "")),
    );
    w.init();
    let t = Instant::now();
    let r = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let text = r.all().replace('\n', " ");
    for want in ["No AWS credentials found", "AWS_ACCESS_KEY_ID", "instance metadata", "`auth`"] {
        assert!(text.contains(want), "{want}: {r:?}");
    }
    assert!(t.elapsed().as_secs() < 60, "missing credentials took {:?}", t.elapsed());
    assert_eq!(emu.held("folders"), 0);

    // An unknown workspace.
    let w = workdir(&tf, &emu, false);
    w.write("main.tf", &format!("{REQUIRED}\n{}\n{folder}", provider_block(&emu, "\"g-0000000000\"", "")));
    w.init();
    let r = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let text = r.all().replace('\n', " ");
    assert!(text.contains("g-0000000000 was not found") && text.contains("`workspace_id`"), "{r:?}");

    // A malformed id is refused at plan, before any call.
    let calls = control_plane_calls(&emu);
    w.write("main.tf", &format!("{REQUIRED}\n{}\n{folder}", provider_block(&emu, "\"my-workspace\"", "")));
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.all().contains("Invalid workspace_id"), "{r:?}");
    assert_eq!(control_plane_calls(&emu), calls);

    // `auth` and `workspace_id` together are refused at plan.
    w.write(
        "main.tf",
        &format!(
            "{REQUIRED}\n{}\n{folder}",
            provider_block(&emu, &format!("\"{}\"", emu.workspace_id), "  auth = \"glsa_x\"\n")
        ),
    );
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.all().contains("Two ways to authenticate"), "{r:?}");

    // A workspace still CREATING (amg-local takes 4 s here): a short wait fails with the
    // status, a longer one waits and applies.
    let created = signed_call(
        &emu,
        "POST",
        "/workspaces",
        &json!({"accountAccessType": "CURRENT_ACCOUNT", "authenticationProviders": ["AWS_SSO"], "permissionType": "SERVICE_MANAGED", "workspaceName": "slow"}),
    );
    let slow = created["workspace"]["id"].as_str().unwrap_or_else(|| panic!("{created}")).to_string();
    let w = workdir(&tf, &emu, false);
    // Six folders: the wait happens once per provider process, and the six creates all get
    // its answer (not six waits, one after the other).
    let six = (0..6)
        .map(|i| format!("resource \"grafana_folder\" \"f{i}\" {{\n  title = \"f{i}\"\n}}\n"))
        .collect::<String>();
    w.write(
        "main.tf",
        &format!(
            "{REQUIRED}\n{}\n{six}",
            provider_block(&emu, &format!("\"{slow}\""), "  workspace_ready_timeout_seconds = 1\n")
        ),
    );
    w.init();
    let describes = |emu: &Emulator| emu.count("GET", Some("/workspaces/:id"));
    let (before, t) = (describes(&emu), Instant::now());
    let r = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.all().matches("is still CREATING").count(), 6, "{r:?}");
    assert!(
        describes(&emu) - before <= 6,
        "the workspace was waited for more than once: {} DescribeWorkspace calls",
        describes(&emu) - before
    );
    assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
    w.write(
        "main.tf",
        &format!(
            "{REQUIRED}\n{}\n{folder}",
            provider_block(&emu, &format!("\"{slow}\""), "  workspace_ready_timeout_seconds = 30\n")
        ),
    );
    let r = w.apply();
    r.assert_summary("1 added, 0 changed, 0 destroyed");
    assert_eq!(emu.stats()["workspaces"][&slow]["folders"], 1);
}

#[test]
fn a_caller_denied_service_accounts_gets_a_short_lived_api_key_on_grafana_10_and_a_diagnostic_on_12() {
    let tf = crate::support::terraform("1.11.4");
    let deny = "grafana:ListWorkspaceServiceAccounts,grafana:CreateWorkspaceServiceAccount";
    let folder = "resource \"grafana_folder\" \"f\" {\n  title = \"f\"\n}\n";

    let emu = Emulator::start(&["--tls", "--grafana-version", "10.4", "--deny", deny]);
    let w = workdir(&tf, &emu, false);
    w.write(
        "main.tf",
        &format!("{REQUIRED}\n{}\n{folder}", provider_block(&emu, &format!("\"{}\"", emu.workspace_id), "")),
    );
    w.init();
    let r = w.apply();
    r.assert_summary("1 added, 0 changed, 0 destroyed");
    assert_eq!(emu.count("POST", Some("/workspaces/:id/apikeys")), 1);
    let held: &Value = &emu.stats()["workspaces"][&emu.workspace_id];
    assert_eq!(held["api_keys"], 0, "the API key is deleted when Terraform stops the provider: {held}");
    assert_eq!(held["api_keys_total"], 0, "{held}");
    w.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);

    let emu = Emulator::start(&["--tls", "--grafana-version", "12.4", "--deny", deny]);
    let w = workdir(&tf, &emu, false);
    w.write(
        "main.tf",
        &format!("{REQUIRED}\n{}\n{folder}", provider_block(&emu, &format!("\"{}\"", emu.workspace_id), "")),
    );
    w.init();
    let r = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let text = r.all().replace('\n', " ");
    assert!(text.contains("AWS denied grafana:ListWorkspaceServiceAccounts") && text.contains("IAM policy"), "{r:?}");
}

/// A 403 with AMG-native auth names `grafana_role` and the role the operation needs, not URL
/// mode's "use a token of a service account with the Admin role".
#[test]
fn a_viewer_token_refused_a_data_source_is_told_about_grafana_role() {
    let tf = crate::support::terraform("1.15.5");
    let emu = Emulator::start(&["--tls"]);
    let w = workdir(&tf, &emu, false);
    w.write(
        "main.tf",
        &format!(
            "{REQUIRED}\n{}\nresource \"grafana_data_source\" \"amp\" {{\n  type = \"prometheus\"\n  name = \"AMP\"\n  url  = \"https://aps.example\"\n}}\n",
            provider_block(&emu, &format!("\"{}\"", emu.workspace_id), "  grafana_role = \"VIEWER\"\n")
        ),
    );
    w.init();
    let r = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let all = r.all().replace('\n', " ");
    assert!(all.contains("has the VIEWER role (`grafana_role`)"), "{all}");
    assert!(all.contains("Data sources need ADMIN"), "{all}");
    assert!(!all.contains("Use a token of a service account"), "URL mode's advice: {all}");
    assert_eq!(emu.held("datasources"), 0);
}
