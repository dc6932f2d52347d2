//! `cargo xtask release <version> [--dist DIR]`: the files the Terraform Registry (and the
//! OpenTofu registry, and any mirror) take, for the platform this machine builds.
//!
//! - `terraform-provider-grafana_<version>_<os>_<arch>.zip`, holding
//!   `terraform-provider-grafana_v<version>` (`.exe` on Windows);
//! - `terraform-provider-grafana_<version>_manifest.json`: `terraform-registry-manifest.json`;
//! - `operator2tf_<version>_<os>_<arch>.zip`, holding `operator2tf` (`.exe` on Windows): the
//!   converter from grafana-operator manifests, released beside the provider;
//! - `terraform-provider-grafana_<version>_SHA256SUMS`: `<sha256>  <file>` for all three, by name
//!   (Terraform reads only its zips' lines);
//! - `terraform-provider-grafana_<version>_SHA256SUMS.sig`: a detached GPG signature of the sums
//!   when `GPG_FINGERPRINT` names a secret key (the registry checks it against the key on file).
//!
//! Reproducible: the build has paths remapped (no checkout or cargo home path in the binary) and
//! its own target directory; the zip has a fixed time (1980-01-01, zip's epoch), fixed
//! permissions (0755) and one entry, so the same sources give the same bytes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::Digest;

use crate::{cargo, root, run};

pub const NAME: &str = "terraform-provider-grafana";
/// The converter released beside the provider.
pub const CONVERTER: &str = "operator2tf";

pub fn run_release(args: &[String]) -> Result<(), String> {
    let version = args.first().ok_or("usage: cargo xtask release <version> [--dist DIR]")?;
    check_version(version)?;
    let dist = match args.iter().position(|a| a == "--dist") {
        Some(i) => PathBuf::from(args.get(i + 1).ok_or("--dist needs a directory")?),
        None => root().join("dist"),
    };
    let binary = build(version)?;
    let converter = binary.with_file_name(exe(CONVERTER));
    let files = package(version, &binary, &converter, &dist, &platform())?;
    for f in &files {
        let size = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        println!("{} ({size} bytes)", f.display());
    }
    Ok(())
}

/// `1.2.3`, optionally `-pre.1`: what the registry accepts (no leading `v` in file names).
fn check_version(v: &str) -> Result<(), String> {
    let core = v.split_once('-').map_or(v, |(c, _)| c);
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        Ok(())
    } else {
        Err(format!("{v:?} is not a version like 1.2.3 (no leading v)"))
    }
}

/// `<os>_<arch>` as Terraform names this machine.
fn platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{os}_{arch}")
}

/// The release build, with the version the binary reports, paths remapped, in its own target
/// directory (the remapping flags would otherwise rebuild the everyday release build).
fn build(version: &str) -> Result<PathBuf, String> {
    let target = root().join("target/dist-build");
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|_| std::env::var("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map_err(|_| "neither CARGO_HOME nor HOME is set".to_string())?;
    let flags =
        format!("--remap-path-prefix={}=/build --remap-path-prefix={}=/cargo", root().display(), home.display());
    run(cargo()
        .current_dir(root())
        .args(["build", "--release", "--locked", "-p", NAME, "--bin", NAME, "-p", CONVERTER, "--bin", CONVERTER])
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", flags)
        .env("TERRAFORM_PROVIDER_VERSION", version))?;
    Ok(target.join("release").join(exe(NAME)))
}

fn exe(name: &str) -> String {
    if cfg!(windows) { format!("{name}.exe") } else { name.to_string() }
}

/// Writes the zips, the manifest, the sums and (with `GPG_FINGERPRINT`) their signature.
pub fn package(
    version: &str,
    binary: &Path,
    converter: &Path,
    dist: &Path,
    platform: &str,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    let bytes = std::fs::read(binary).map_err(|e| format!("{}: {e}", binary.display()))?;
    let inner =
        if platform.starts_with("windows") { format!("{NAME}_v{version}.exe") } else { format!("{NAME}_v{version}") };
    let zip_path = dist.join(format!("{NAME}_{version}_{platform}.zip"));
    write(&zip_path, &zip_one(&inner, &bytes)?)?;
    let converter_bytes = std::fs::read(converter).map_err(|e| format!("{}: {e}", converter.display()))?;
    let converter_inner = if platform.starts_with("windows") { format!("{CONVERTER}.exe") } else { CONVERTER.into() };
    let converter_zip = dist.join(format!("{CONVERTER}_{version}_{platform}.zip"));
    write(&converter_zip, &zip_one(&converter_inner, &converter_bytes)?)?;
    let manifest_path = dist.join(format!("{NAME}_{version}_manifest.json"));
    let manifest = std::fs::read(root().join("terraform-registry-manifest.json")).map_err(|e| e.to_string())?;
    write(&manifest_path, &manifest)?;
    // Every zip in dist/ for this version (a release job adds the other platforms' zips before
    // the sums are made), and the manifest, by name.
    let mut summed: Vec<PathBuf> = std::fs::read_dir(dist)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let ours =
                n.starts_with(&format!("{NAME}_{version}_")) || n.starts_with(&format!("{CONVERTER}_{version}_"));
            ours && (n.ends_with(".zip") || n.ends_with("_manifest.json"))
        })
        .collect();
    summed.sort();
    let mut sums = String::new();
    for p in &summed {
        let data = std::fs::read(p).map_err(|e| e.to_string())?;
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        sums.push_str(&format!("{}  {name}\n", hex(&sha2::Sha256::digest(&data))));
    }
    let sums_path = dist.join(format!("{NAME}_{version}_SHA256SUMS"));
    write(&sums_path, sums.as_bytes())?;
    let mut out = vec![zip_path, converter_zip, manifest_path, sums_path.clone()];
    if let Ok(key) = std::env::var("GPG_FINGERPRINT")
        && !key.is_empty()
    {
        let sig = dist.join(format!("{NAME}_{version}_SHA256SUMS.sig"));
        run(Command::new("gpg")
            .args(["--batch", "--yes", "--local-user", &key, "--output"])
            .arg(&sig)
            .arg("--detach-sign")
            .arg(&sums_path))?;
        out.push(sig);
    }
    Ok(out)
}

/// A zip of one executable entry, byte for byte the same for the same input.
pub fn zip_one(name: &str, data: &[u8]) -> Result<Vec<u8>, String> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o755);
    w.start_file(name, opts).map_err(|e| e.to_string())?;
    w.write_all(data).map_err(|e| e.to_string())?;
    Ok(w.finish().map_err(|e| e.to_string())?.into_inner())
}

fn write(path: &Path, data: &[u8]) -> Result<(), String> {
    std::fs::write(path, data).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zip_depends_on_the_bytes_alone() {
        let a = zip_one("terraform-provider-grafana_v1.0.0", b"binary").unwrap();
        // wait: the clock must move past a zip timestamp's 1 s resolution, or a clock in the zip would go unseen
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let b = zip_one("terraform-provider-grafana_v1.0.0", b"binary").unwrap();
        assert_eq!(a, b, "no clock in the zip");
        assert_ne!(a, zip_one("terraform-provider-grafana_v1.0.0", b"other").unwrap());
    }

    #[test]
    fn versions_are_checked() {
        assert!(check_version("0.0.1").is_ok() && check_version("1.2.3-rc.1").is_ok());
        for bad in ["v1.2.3", "1.2", "1.2.x", ""] {
            assert!(check_version(bad).is_err(), "{bad}");
        }
    }
}
