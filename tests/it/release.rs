//! Releases and the ways users install them: `cargo xtask release` builds what the registry
//! takes; a filesystem mirror made of `dist/` installs it with `terraform init` (no dev
//! overrides), the lock file's hashes are the SHA256SUMS, and building again gives the same bytes.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Emulator, Terraform, bin_dir, terraform};

const VERSION: &str = "0.0.1";
const ZIP: &str = "terraform-provider-grafana_0.0.1_linux_amd64.zip";
const CONVERTER_ZIP: &str = "operator2tf_0.0.1_linux_amd64.zip";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `xtask release 0.0.1 --dist <dist>`; the build has its own target directory, so it does not
/// wait for the one this test runs from.
fn release(dist: &Path) {
    release_with(dist, &[]);
}

fn release_with(dist: &Path, env: &[(&str, &Path)]) {
    let xtask = bin_dir().join("xtask");
    assert!(xtask.is_file(), "{} is missing: build it first (`cargo xtask test` does)", xtask.display());
    let out = Command::new(&xtask)
        .args(["release", VERSION, "--dist"])
        .arg(dist)
        .env_remove("GPG_FINGERPRINT")
        .envs(env.iter().map(|(k, v)| (*k, v.as_os_str())))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "xtask release failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sha256_hex(path: &Path) -> String {
    let data = std::fs::read(path).unwrap();
    ring::digest::digest(&ring::digest::SHA256, &data).as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_release_installs_from_a_filesystem_mirror_and_builds_the_same_bytes_again() {
    let tmp = tempfile::tempdir().unwrap();
    let (first, second) = (tmp.path().join("first"), tmp.path().join("second"));
    release(&first);

    // The files the registry takes, the sums covering the zip and the manifest.
    let sums_path = first.join(format!("terraform-provider-grafana_{VERSION}_SHA256SUMS"));
    let sums = std::fs::read_to_string(&sums_path).unwrap();
    let manifest = first.join(format!("terraform-provider-grafana_{VERSION}_manifest.json"));
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(m, serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}}));
    let mut names = Vec::new();
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").unwrap_or_else(|| panic!("bad SHA256SUMS line {line:?}"));
        assert_eq!(hash, sha256_hex(&first.join(name)), "SHA256SUMS for {name}");
        names.push(name.to_string());
    }
    assert_eq!(
        names,
        [CONVERTER_ZIP.to_string(), ZIP.to_string(), format!("terraform-provider-grafana_{VERSION}_manifest.json")]
    );
    converter_runs_from_its_zip(&first.join(CONVERTER_ZIP), tmp.path());

    // Built again from scratch (this crate's compiled code thrown away): the same bytes.
    let fingerprints = repo().join("target/dist-build/release/.fingerprint");
    for e in std::fs::read_dir(&fingerprints).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap().to_string_lossy().starts_with("terraform-provider-grafana-") {
            std::fs::remove_dir_all(&p).unwrap();
        }
    }
    std::fs::remove_file(repo().join("target/dist-build/release/terraform-provider-grafana")).unwrap();
    release(&second);
    for name in &names {
        assert!(
            std::fs::read(first.join(name)).unwrap() == std::fs::read(second.join(name)).unwrap(),
            "{name} differs between two builds"
        );
    }
    assert_eq!(sums, std::fs::read_to_string(second.join(sums_path.file_name().unwrap())).unwrap());

    // With a GPG key configured, a detached signature of the sums that gpg verifies.
    let home = tmp.path().join("gnupg");
    std::fs::create_dir_all(&home).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
    let gpg = |args: &[&str]| {
        let out = Command::new("gpg")
            .arg("--homedir")
            .arg(&home)
            .arg("--batch")
            .args(args)
            .output()
            .expect("gpg (the machine image has it)");
        assert!(out.status.success(), "gpg {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    gpg(&[
        "--pinentry-mode",
        "loopback",
        "--passphrase",
        "",
        "--quick-gen-key",
        "Release test <release@example.invalid>",
        "ed25519",
        "sign",
        "1d",
    ]);
    let listing = gpg(&["--with-colons", "--list-secret-keys"]);
    let fingerprint = listing
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .map(|l| l.trim_matches(':').to_string())
        .expect("a fingerprint");
    let signed = tmp.path().join("signed");
    let fpr = PathBuf::from(&fingerprint);
    release_with(&signed, &[("GNUPGHOME", home.as_path()), ("GPG_FINGERPRINT", fpr.as_path())]);
    let sig = signed.join(format!("terraform-provider-grafana_{VERSION}_SHA256SUMS.sig"));
    let sums_signed = signed.join(format!("terraform-provider-grafana_{VERSION}_SHA256SUMS"));
    gpg(&["--verify", sig.to_str().unwrap(), sums_signed.to_str().unwrap()]);
    let _ = Command::new("gpgconf").arg("--homedir").arg(&home).args(["--kill", "gpg-agent"]).status();

    // A packed filesystem mirror made of dist/, as an air-gapped user would.
    let mirror = tmp.path().join("mirror");
    let dir = mirror.join("registry.terraform.io/amg-oss/grafana");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(first.join(ZIP), dir.join(ZIP)).unwrap();
    let zip_hash = sha256_hex(&first.join(ZIP));
    for tf in [terraform("1.11.4"), terraform("1.15.5")] {
        installs_and_applies(&tf, &mirror, &zip_hash);
    }
}

/// The converter's zip holds one executable `operator2tf` that runs (`--help`, exit 0).
fn converter_runs_from_its_zip(zip: &Path, tmp: &Path) {
    let out_dir = tmp.join("converter");
    let unzip = Command::new("python3").args(["-m", "zipfile", "-e"]).arg(zip).arg(&out_dir).output().unwrap();
    assert!(unzip.status.success(), "{}", String::from_utf8_lossy(&unzip.stderr));
    let entries: Vec<String> =
        std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(entries, ["operator2tf"]);
    let bin = out_dir.join("operator2tf");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let help = Command::new(&bin).arg("--help").output().unwrap();
    assert!(help.status.success() && String::from_utf8_lossy(&help.stdout).starts_with("usage: operator2tf"));
}

/// Terraform's `h1:` hash of a package holding one file (`dirhash.Hash1`: SHA-256 of the lines
/// `<sha256 hex>  <name>\n`, base64).
fn h1(name: &str, data: &[u8]) -> String {
    use base64::Engine as _;
    let file: String =
        ring::digest::digest(&ring::digest::SHA256, data).as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let sum = ring::digest::digest(&ring::digest::SHA256, format!("{file}  {name}\n").as_bytes());
    format!("h1:{}", base64::engine::general_purpose::STANDARD.encode(sum.as_ref()))
}

fn lock_file(hashes: &[String]) -> String {
    let list: String = hashes.iter().map(|h| format!("    \"{h}\",\n")).collect();
    format!(
        "provider \"registry.terraform.io/amg-oss/grafana\" {{\n  version     = \"{VERSION}\"\n  constraints = \"{VERSION}\"\n  hashes = [\n{list}  ]\n}}\n"
    )
}

fn installs_and_applies(tf: &Terraform, mirror: &Path, zip_hash: &str) {
    let emu = Emulator::start(&[]);
    let binary = std::fs::read(repo().join("target/dist-build/release/terraform-provider-grafana")).unwrap();
    let package_hash = h1(&format!("terraform-provider-grafana_v{VERSION}"), &binary);
    let rc_dir = tempfile::tempdir().unwrap();
    let rc = rc_dir.path().join("terraform.rc");
    std::fs::write(
        &rc,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/amg-oss/grafana\"]\n  }}\n}}\n",
            mirror.display()
        ),
    )
    .unwrap();
    let config = format!(
        "terraform {{\n  required_providers {{\n    grafana = {{\n      source  = \"amg-oss/grafana\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n\nprovider \"grafana\" {{\n  url  = \"{}\"\n  auth = \"{}\"\n}}\n\nresource \"grafana_folder\" \"released\" {{\n  title = \"Installed from a mirror\"\n}}\n",
        emu.grafana_url, emu.admin_token
    );
    let dir = || {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("main.tf"), &config).unwrap();
        d
    };
    let run = |w: &Path, args: &[&str], rc: &Path| {
        let out = Command::new(&tf.path)
            .current_dir(w)
            .args(args)
            .env("TF_CLI_CONFIG_FILE", rc)
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_PLUGIN_CACHE_DIR")
            .output()
            .unwrap();
        (
            out.status.success(),
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        )
    };
    let ok = |w: &Path, args: &[&str]| {
        let (success, text) = run(w, args, &rc);
        assert!(success, "terraform {} ({}) failed:\n{text}", args.join(" "), tf.version);
        text
    };

    // A plain `terraform init` installs the release; the lock file's hash is the package's.
    let w = dir();
    let init = ok(w.path(), &["init", "-input=false", "-no-color"]);
    assert!(init.contains("Installed amg-oss/grafana v0.0.1"), "{init}");
    let lock = std::fs::read_to_string(w.path().join(".terraform.lock.hcl")).unwrap();
    assert!(
        lock.contains(&format!("\"{package_hash}\"")),
        "the lock file records the zipped binary's h1 hash:\n{lock}"
    );
    ok(w.path(), &["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(emu.held("folders"), 1);
    ok(w.path(), &["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(emu.held("folders"), 0);

    // A lock file holding only SHA256SUMS' value for the zip (`zh:`, as the registry's lock
    // entries have) verifies the mirror's package; a wrong one is refused.
    let pinned = dir();
    std::fs::write(pinned.path().join(".terraform.lock.hcl"), lock_file(&[format!("zh:{zip_hash}")])).unwrap();
    ok(pinned.path(), &["init", "-input=false", "-no-color", "-lockfile=readonly"]);
    let tampered = dir();
    std::fs::write(tampered.path().join(".terraform.lock.hcl"), lock_file(&[format!("zh:{}", "0".repeat(64))]))
        .unwrap();
    let (success, text) = run(tampered.path(), &["init", "-input=false", "-no-color", "-lockfile=readonly"], &rc);
    assert!(!success && text.contains("checksum"), "a wrong hash must be refused ({}):\n{text}", tf.version);

    // `terraform providers lock` from the mirror alone writes the package's hash.
    let locked = dir();
    let (success, text) = run(
        locked.path(),
        &["providers", "lock", "-no-color", "-platform=linux_amd64", &format!("-fs-mirror={}", mirror.display())],
        Path::new("/dev/null"),
    );
    assert!(success, "providers lock ({}): {text}", tf.version);
    let lock = std::fs::read_to_string(locked.path().join(".terraform.lock.hcl")).unwrap();
    assert!(lock.contains(&format!("\"{package_hash}\"")), "{lock}");
}
