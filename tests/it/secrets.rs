//! The secret scan: with `TF_LOG=TRACE`, every credential and write-only secret of the runs
//! below is looked for in Terraform's logs (provider lines included), in what each command
//! printed (diagnostics), in the state and its backup, and in saved plans (`terraform show
//! -json`). The runs cover creates and updates under lost answers, a conflict diagnostic, a
//! panic, and AMG-native auth (every token minted, from amg-local's record of issued keys).
//! The secrets reach the configuration as ephemeral variables (`TF_VAR_…`), as they would in
//! CI: a literal in a `.tf` file is in the saved plan's configuration by Terraform's design.

use crate::support::{Emulator, REQUIRED, Terraform, Workdir};

on_both_terraforms!(no_secret_in_logs_diagnostics_state_or_plans);

struct Scan {
    texts: Vec<(String, String)>,
}

impl Scan {
    fn add(&mut self, what: impl Into<String>, text: impl Into<String>) {
        self.texts.push((what.into(), text.into()));
    }
    fn run(&mut self, w: &Workdir, what: &str, args: &[&str]) -> crate::support::Run {
        let r = w.run(args);
        self.add(format!("{what}: output"), r.all());
        r
    }
    fn files(&mut self, w: &Workdir) {
        for f in ["terraform.tfstate", "terraform.tfstate.backup", "trace.log"] {
            if let Ok(t) = std::fs::read_to_string(w.dir().join(f)) {
                self.add(f, t);
            }
        }
    }
    fn assert_clean(&self, secrets: &[String]) {
        assert!(
            self.texts.iter().any(|(w, t)| w == "trace.log" && t.contains("terraform-provider-grafana")),
            "no TRACE log was scanned"
        );
        for s in secrets {
            for (what, text) in &self.texts {
                assert!(!text.contains(s.as_str()), "a secret ({}…) in {what}", &s[..6.min(s.len())]);
            }
        }
    }
}

fn traced(w: &mut Workdir) {
    let log = w.dir().join("trace.log").display().to_string();
    w.env("TF_LOG", "TRACE");
    w.env("TF_LOG_PATH", &log);
}

fn no_secret_in_logs_diagnostics_state_or_plans(tf: &Terraform) {
    let mut scan = Scan { texts: Vec::new() };
    let wo_secret = "wo-secret-b4f0c2";
    let wo_header = "wo-header-9d1e77";
    let proxy = "proxy-secret-3a8c51";

    // URL mode, with lost answers to writes.
    let emu = Emulator::start(&["--drop-rate", "0.2", "--seed", "21"]);
    let mut w = Workdir::new(tf);
    traced(&mut w);
    w.env("GRAFANA_AUTH", &emu.admin_token);
    w.env("TF_VAR_ds_password", wo_secret);
    w.env("TF_VAR_ds_header", wo_header);
    w.env("TF_VAR_proxy_auth", proxy);
    let config = |ds_version: u32, extra: &str| {
        format!(
            r#"{REQUIRED}
variable "ds_password" {{
  type      = string
  sensitive = true
  ephemeral = true
}}

variable "ds_header" {{
  type      = string
  sensitive = true
  ephemeral = true
}}

variable "proxy_auth" {{
  type      = string
  sensitive = true
  ephemeral = true
}}

provider "grafana" {{
  url          = "{url}"
  http_headers = {{ "X-Proxy-Auth" = var.proxy_auth }}
}}

resource "grafana_folder" "f" {{
  title = "Secrets"
}}

resource "grafana_dashboard" "d" {{
  folder      = grafana_folder.f.uid
  config_json = jsonencode({{ title = "Secrets", panels = [] }})
}}

resource "grafana_data_source" "ds" {{
  type                                = "prometheus"
  name                                = "Secured"
  url                                 = "https://prometheus.example.com"
  basic_auth_enabled                  = true
  basic_auth_username                 = "grafana"
  secure_json_data_encoded_wo         = jsonencode({{ basicAuthPassword = var.ds_password }})
  secure_json_data_encoded_wo_version = {ds_version}
  http_headers_wo                     = {{ "X-Api-Key" = var.ds_header }}
  http_headers_wo_version             = {ds_version}
}}
{extra}"#,
            url = emu.grafana_url
        )
    };
    w.write("main.tf", &config(1, ""));
    w.init();
    let r = scan.run(&w, "apply", &["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 0, "{r:?}");
    // An update that sends the secrets again, through a saved plan.
    w.write("main.tf", &config(2, ""));
    let r = scan.run(&w, "plan -out", &["plan", "-input=false", "-no-color", "-out=update.plan"]);
    assert_eq!(r.code, 0, "{r:?}");
    scan.run(&w, "show -json", &["show", "-json", "update.plan"]);
    let r = scan.run(&w, "apply plan", &["apply", "-input=false", "-no-color", "update.plan"]);
    assert_eq!(r.code, 0, "{r:?}");
    // A diagnostic: a second data source with the same name.
    let twin = "resource \"grafana_data_source\" \"twin\" {\n  type = \"prometheus\"\n  name = \"Secured\"\n  url = \"https://p2.example.com\"\n  secure_json_data_encoded_wo = jsonencode({ basicAuthPassword = var.ds_password })\n}\n";
    w.write("main.tf", &config(2, twin));
    let r = scan.run(&w, "conflict", &["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    // A panic while a write-only secret is in the request.
    w.write("main.tf", &config(3, ""));
    w.env("GRAFANA_PROVIDER_TEST_PANIC", "ApplyResourceChange:grafana_data_source");
    let r = scan.run(&w, "panic", &["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert!(r.all().contains("Internal error in the Grafana provider"), "{r:?}");
    w.env("GRAFANA_PROVIDER_TEST_PANIC", "");
    scan.run(&w, "show state -json", &["show", "-json"]);
    scan.files(&w);
    scan.assert_clean(&[emu.admin_token.clone(), wo_secret.into(), wo_header.into(), proxy.into()]);

    // AMG-native auth: minted tokens and the AWS secret key.
    let aws_secret = "aws-secret-key-5e7f10";
    let emu = Emulator::start(&["--tls"]);
    let mut w = Workdir::new(tf);
    crate::amg_auth::isolate_aws(&mut w, &emu);
    w.env("AWS_ACCESS_KEY_ID", "AKIDSECRETSCAN");
    w.env("AWS_SECRET_ACCESS_KEY", aws_secret);
    traced(&mut w);
    let mut scan = Scan { texts: Vec::new() };
    w.write(
        "main.tf",
        &format!(
            "{REQUIRED}\nprovider \"grafana\" {{\n  workspace_id = \"{}\"\n  ca_cert      = \"{}\"\n}}\n\nresource \"grafana_folder\" \"f\" {{\n  title = \"Secrets\"\n}}\n",
            emu.workspace_id,
            emu.ca_cert_file.as_deref().unwrap()
        ),
    );
    w.init();
    let r = scan.run(&w, "AMG apply", &["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = scan.run(&w, "AMG plan", &["plan", "-input=false", "-no-color", "-out=p.plan"]);
    assert_eq!(r.code, 0, "{r:?}");
    scan.run(&w, "AMG show -json", &["show", "-json", "p.plan"]);
    scan.files(&w);
    let issued = crate::support::http(
        "GET",
        &format!("{}/_amg-local/issued-credentials", emu.control_plane_url),
        None,
        None,
        None,
    )
    .1;
    let mut secrets: Vec<String> =
        issued["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_string()).collect();
    assert!(secrets.len() >= 3, "the admin token and a token per provider process: {issued}");
    secrets.push(aws_secret.into());
    scan.assert_clean(&secrets);
}
