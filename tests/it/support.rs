//! Test support: a running `amg-local`, and a Terraform working directory wired to this
//! build of the provider through a filesystem mirror (`terraform init` works offline).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

pub const PROVIDER_SOURCE: &str = "amg-oss/grafana";

/// Directory of the workspace's built binaries (`target/debug`).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent().and_then(Path::parent).expect("target/debug/deps/..").to_path_buf()
}

pub fn provider_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-grafana"))
}

/// A Terraform version under test.
#[derive(Clone, Debug)]
pub struct Terraform {
    pub version: String,
    pub path: PathBuf,
}

impl Terraform {
    /// At least 1.12: identity and `import { identity }`.
    pub fn has_identity(&self) -> bool {
        let mut it = self.version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        (it.next().unwrap_or(0), it.next().unwrap_or(0)) >= (1, 12)
    }
}

/// The Terraform binaries named by `TF_BINARIES` (`1.11.4=/path,1.15.5=/path`). A missing
/// one is a failure: CI must never pass by skipping the real-Terraform tests.
pub fn terraform(version: &str) -> Terraform {
    let spec = std::env::var("TF_BINARIES").unwrap_or_else(|_| {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        format!("1.11.4=terraform,1.15.5={}", repo.join(".tools/bin/terraform-1.15.5").display())
    });
    let path = spec
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .find(|(v, _)| *v == version)
        .map(|(_, p)| PathBuf::from(p))
        .unwrap_or_else(|| {
            panic!("Terraform {version} is not in TF_BINARIES ({spec}); run the tests with `cargo xtask test`")
        });
    let out = Command::new(&path)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run Terraform {version} at {}: {e}; run `cargo xtask test`", path.display())
        });
    let v: Value = serde_json::from_slice(&out.stdout).expect("terraform version -json");
    assert_eq!(v["terraform_version"], version, "{} is not Terraform {version}", path.display());
    Terraform { version: version.to_string(), path }
}

// ---- amg-local ----

/// The workspace's one emulator wrapper: amg-local started for a test, with its ready line's
/// fields, its stats and what it holds.
pub use amg_local::harness::Running as Emulator;

/// The Grafana API as the emulator's admin, over TLS where the emulator serves it so (`--tls`,
/// which the harness's plain loopback client does not speak).
pub trait GrafanaAdmin {
    /// Calls the workspace's Grafana API as the admin; returns (status, JSON body).
    fn grafana(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value);
}

impl GrafanaAdmin for Emulator {
    fn grafana(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        http(
            method,
            &format!("{}{path}", self.grafana_url),
            Some(&self.admin_token),
            body,
            self.ca_cert_file.as_deref(),
        )
    }
}

/// Waits for an event with a deadline, instead of sleeping: panics naming `what` past `within`.
pub fn wait_until(what: &str, within: std::time::Duration, done: impl FnMut() -> bool) {
    amg_local::harness::wait_until(what, within, done).unwrap_or_else(|e| panic!("{e}"));
}

/// One blocking HTTP call on loopback.
pub fn http(method: &str, url: &str, token: Option<&str>, body: Option<Value>, ca: Option<&str>) -> (u16, Value) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut b = reqwest::Client::builder().use_rustls_tls();
        if let Some(ca) = ca {
            b = b.add_root_certificate(
                reqwest::Certificate::from_pem(&std::fs::read(ca).expect("ca file")).expect("ca pem"),
            );
        }
        let client = b.build().expect("client");
        let mut req = client.request(method.parse().expect("method"), url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    })
}

// ---- Terraform working directories ----

/// The filesystem mirror holding `registry.terraform.io/hashicorp/aws` 5.100.0 (machine image),
/// from `AWS_PROVIDER_MIRROR` (set by `cargo xtask test`) or its usual place. Missing is a failure.
pub fn aws_mirror() -> PathBuf {
    let p =
        std::env::var_os("AWS_PROVIDER_MIRROR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/opt/tf-plugins"));
    let bin = p.join("registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws_v5.100.0_x5");
    assert!(
        bin.is_file(),
        "the AWS provider 5.100.0 is not at {}: set AWS_PROVIDER_MIRROR to its filesystem mirror",
        bin.display()
    );
    p
}

/// A mirror holding this build of the provider, shared by every test in this process. A
/// static is never dropped, so it lives under cargo's target directory (`cargo clean` removes
/// it), not in the system's temporary directory, where every run left one behind.
fn mirror_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("tempdir");
        let plat = d.path().join("registry.terraform.io").join(PROVIDER_SOURCE).join("0.1.0/linux_amd64");
        std::fs::create_dir_all(&plat).expect("mirror dirs");
        std::fs::copy(provider_bin(), plat.join("terraform-provider-grafana_v0.1.0")).expect("copy provider");
        d
    })
    .path()
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Terraform's closing summary, whole: the counts of `Apply complete! Resources: …` (or
    /// `Destroy complete! Resources: …`), e.g. `1 added, 0 changed, 0 destroyed`. Matching the
    /// whole line, never a bare count (`1 added` is also in `11 added`).
    pub fn summary(&self) -> &str {
        let line =
            self.stdout.lines().map(str::trim).find(|l| {
                l.starts_with("Apply complete! Resources: ") || l.starts_with("Destroy complete! Resources: ")
            });
        let line = line.unwrap_or_else(|| panic!("no summary line in what Terraform printed: {self:?}"));
        line.split_once("Resources: ").map(|(_, c)| c.trim_end_matches('.')).unwrap_or_default()
    }

    /// Asserts the closing summary's counts, whole (see [`Run::summary`]).
    #[track_caller]
    pub fn assert_summary(&self, counts: &str) {
        assert_eq!(self.summary(), counts, "{self:?}");
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// A Terraform working directory.
pub struct Workdir {
    pub tf: Terraform,
    dir: tempfile::TempDir,
    rc: PathBuf,
    env: Vec<(String, String)>,
}

/// The `terraform` block every test configuration starts with.
pub const REQUIRED: &str = r#"terraform {
  required_providers {
    grafana = {
      source  = "amg-oss/grafana"
      version = "0.1.0"
    }
  }
}
"#;

/// The `terraform` block of configurations that use the real AWS provider too.
pub const REQUIRED_WITH_AWS: &str = r#"terraform {
  required_providers {
    aws     = { source = "hashicorp/aws", version = "5.100.0" }
    grafana = { source = "amg-oss/grafana", version = "0.1.0" }
  }
}
"#;

impl Workdir {
    pub fn new(tf: &Terraform) -> Workdir {
        Workdir::with_mirrors(tf, &[])
    }

    /// Also installs the real AWS provider from the machine image's filesystem mirror.
    pub fn with_aws(tf: &Terraform) -> Workdir {
        Workdir::with_mirrors(tf, &[(aws_mirror(), "registry.terraform.io/hashicorp/aws")])
    }

    fn with_mirrors(tf: &Terraform, extra: &[(PathBuf, &str)]) -> Workdir {
        let dir = tempfile::tempdir().expect("tempdir");
        let rc = dir.path().join("terraform.rc");
        let mut mirrors = vec![(mirror_dir().to_path_buf(), format!("registry.terraform.io/{PROVIDER_SOURCE}"))];
        mirrors.extend(extra.iter().map(|(p, src)| (p.clone(), src.to_string())));
        let mut text = String::from("provider_installation {\n");
        for (path, src) in mirrors {
            text.push_str(&format!(
                "  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{src}\"]\n  }}\n",
                path.display()
            ));
        }
        text.push_str("}\n");
        std::fs::write(&rc, text).expect("write rc");
        Workdir { tf: tf.clone(), dir, rc, env: Vec::new() }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Serves `address` (e.g. `example.com/x/grafana`) with this build of the provider through
    /// the CLI configuration's `dev_overrides`, as a provider built from source is used: no
    /// `terraform init` and no lock file for it.
    pub fn dev_override(&self, address: &str) {
        self.dev_override_from(address, provider_bin().parent().expect("bin dir"));
    }

    /// [`Workdir::dev_override`] with the binary `terraform-provider-grafana` in `bin_dir`.
    pub fn dev_override_from(&self, address: &str, bin_dir: &Path) {
        let bin_dir = bin_dir.display().to_string();
        let mut text = std::fs::read_to_string(&self.rc).expect("read rc");
        let at =
            text.find("provider_installation {\n").expect("provider_installation") + "provider_installation {\n".len();
        text.insert_str(at, &format!("  dev_overrides {{\n    \"{address}\" = \"{bin_dir}\"\n  }}\n"));
        std::fs::write(&self.rc, text).expect("write rc");
    }

    pub fn env(&mut self, k: &str, v: &str) {
        self.env.push((k.to_string(), v.to_string()));
    }

    /// Writes `main.tf`: the required_providers block, a provider block for `emu`, then `body`.
    pub fn config(&self, emu: &Emulator, body: &str) {
        let provider = format!(
            "provider \"grafana\" {{\n  url  = \"{}\"\n  auth = \"{}\"\n}}\n",
            emu.grafana_url, emu.admin_token
        );
        self.write("main.tf", &format!("{REQUIRED}\n{provider}\n{body}"));
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).expect("write config");
    }

    pub fn remove(&self, name: &str) {
        let _ = std::fs::remove_file(self.dir.path().join(name));
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out: Output = Command::new(&self.tf.path)
            .current_dir(self.dir.path())
            .args(args)
            .env("TF_CLI_CONFIG_FILE", &self.rc)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .output()
            .expect("run terraform");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into(),
            stderr: String::from_utf8_lossy(&out.stderr).into(),
        }
    }

    /// Runs and asserts exit 0.
    pub fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, 0, "terraform {} (Terraform {}) failed: {r:?}", args.join(" "), self.tf.version);
        r
    }

    pub fn init(&self) {
        self.ok(&["init", "-input=false", "-no-color"]);
    }

    pub fn apply(&self) -> Run {
        self.ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `plan -detailed-exitcode`: 0 empty, 2 changes (1 is an error).
    pub fn plan(&self, extra: &[&str]) -> Run {
        let mut args = vec!["plan", "-detailed-exitcode", "-input=false", "-no-color"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// The plan is empty and the refresh before it found no drift in this provider's objects:
    /// one `plan -detailed-exitcode -out`, then its JSON (`resource_drift` holds every object
    /// the refresh saw change, relevant to the plan or not, as a refresh-only plan would show;
    /// `terraform-plugin-testing` judges plans from the same JSON).
    pub fn assert_plan_empty(&self, why: &str) {
        let r = self.plan(&["-out=check.plan"]);
        assert_eq!(r.code, 0, "{why}: the plan is not empty (Terraform {}): {r:?}", self.tf.version);
        assert!(r.stdout.contains("No changes."), "{why}: {r:?}");
        let plan = self.show_json(Some("check.plan"));
        // Only this provider's objects are judged: the AWS provider's refresh of a new
        // workspace turns its unset lists and maps from null into empty ones, which Terraform
        // reports as drift on the workspace (not ours to fix, and no change to apply).
        let ours = |c: &&Value| c["provider_name"].as_str().is_some_and(|p| p.ends_with(PROVIDER_SOURCE));
        let drift: Vec<&Value> =
            plan["resource_drift"].as_array().map(|d| d.iter().filter(ours).collect()).unwrap_or_default();
        let changes: Vec<&Value> = plan["resource_changes"]
            .as_array()
            .map(|c| c.iter().filter(ours).filter(|c| c["change"]["actions"] != serde_json::json!(["no-op"])).collect())
            .unwrap_or_default();
        assert!(
            drift.is_empty() && changes.is_empty(),
            "{why}: the refresh found drift (Terraform {}): drift {drift:?}, changes {changes:?}\n{r:?}",
            self.tf.version
        );
        self.remove("check.plan");
    }

    /// `terraform show -json` of the state, or of a saved plan.
    pub fn show_json(&self, plan_file: Option<&str>) -> Value {
        let mut args = vec!["show", "-json", "-no-color"];
        args.extend(plan_file);
        let r = self.ok(&args);
        serde_json::from_str(&r.stdout).expect("show -json output")
    }

    /// The state's resources as `address → values` (the root module's, as `show -json` lists
    /// them), read from the local state file: no provider is started for it. Empty before the
    /// first apply, as `show -json` says.
    pub fn state(&self) -> Value {
        let path = self.dir.path().join("terraform.tfstate");
        let Ok(text) = std::fs::read_to_string(&path) else { return Value::Object(Default::default()) };
        let file: Value = serde_json::from_str(&text).expect("state file JSON");
        let mut out = serde_json::Map::new();
        for r in file["resources"].as_array().into_iter().flatten().filter(|r| r.get("module").is_none()) {
            let prefix = if r["mode"] == "data" { "data." } else { "" };
            let base = format!(
                "{prefix}{}.{}",
                r["type"].as_str().unwrap_or_default(),
                r["name"].as_str().unwrap_or_default()
            );
            for i in r["instances"].as_array().into_iter().flatten() {
                let address = match &i["index_key"] {
                    Value::Null => base.clone(),
                    Value::String(k) => format!("{base}[{}]", Value::String(k.clone())),
                    k => format!("{base}[{k}]"),
                };
                out.insert(address, i["attributes"].clone());
            }
        }
        Value::Object(out)
    }
}

/// Terraform started as a terminal runs it, so that a test can press Ctrl-C: in a process group
/// of its own (`interrupt` signals the whole group, Terraform and its providers alike), with
/// SIGINT at its default (a background job of a non-interactive shell, as in CI, starts with it
/// ignored, and Terraform would never see it). Output is piped.
pub fn spawn_interruptible(w: &Workdir, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(&w.tf.path);
    cmd.current_dir(w.dir())
        .args(args)
        .env("TF_CLI_CONFIG_FILE", &w.rc)
        .env("CHECKPOINT_DISABLE", "1")
        .envs(w.env.iter().map(|(k, v)| (k, v)))
        .envs(env.iter().copied())
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: signal() is async-signal-safe, and the child runs nothing else before exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        })
    };
    cmd.spawn().expect("start terraform")
}

/// The processes running this provider that Terraform started in `w`'s working directory (pids):
/// the binary is linked from a mirror shared by every test, so they are told apart by their
/// working directory, which they inherit from Terraform.
pub fn provider_processes(w: &Workdir) -> Vec<u32> {
    let dir = w.dir().canonicalize().expect("workdir");
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let ours = |pid: &u32| {
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
        let name = exe.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        name.starts_with("terraform-provider-grafana")
            && std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd == dir)
    };
    entries.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok()).filter(ours).collect()
}

/// Ctrl-C: SIGINT to the process group of a [`spawn_interruptible`] child.
pub fn interrupt(child: &std::process::Child) {
    // SAFETY: plain kill(2) on the process group the child leads.
    unsafe { libc::kill(-(child.id() as i32), libc::SIGINT) };
}

/// The real AWS provider's block for amg-local's control plane (static test credentials, no
/// account lookups, nothing leaving loopback).
pub fn aws_provider_block(control_plane_url: &str, credentials: bool) -> String {
    let keys = if credentials {
        "  access_key                  = \"AKIDEXAMPLE\"\n  secret_key                  = \"not-a-secret\"\n"
    } else {
        ""
    };
    format!(
        "provider \"aws\" {{\n  region                      = \"us-east-1\"\n{keys}  skip_credentials_validation = true\n  skip_requesting_account_id  = true\n  skip_metadata_api_check     = true\n  skip_region_validation      = true\n  endpoints {{\n    grafana = \"{control_plane_url}\"\n  }}\n}}\n"
    )
}

/// The highest peak resident set size (VmHWM, bytes) among the provider processes of `w`.
pub fn provider_peak_rss(w: &Workdir) -> Option<u64> {
    provider_processes(w)
        .into_iter()
        .filter_map(|pid| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?.trim().trim_end_matches(" kB").trim();
            kb.parse::<u64>().ok().map(|k| k * 1024)
        })
        .max()
}
