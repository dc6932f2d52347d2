//! The adoption section of `cargo xtask bench` (`--only query`): `terraform query` (Terraform
//! ≥ 1.14) over a workspace seeded with N real dashboards in nested folders, listed, then
//! listed with whole objects and configuration generated. Prints the wall time, the provider's
//! CPU and the Grafana requests per listed object.

use std::path::Path;

use crate::bench_provider::{Bench, Cost, Workdir, corpus, dashboard_payload};
use crate::tools::{self, Emulator};

/// Folders the dashboards are spread over: 4 at the top, each with 2 nested.
const FOLDERS: usize = 12;

pub fn run(target: &Path, n: usize) -> Result<(), String> {
    let tools = tools::ensure()?;
    let Some((tf_version, tf)) = tools.terraforms.iter().find(|(v, _)| minor(v) >= 14).cloned() else {
        return Err("`terraform query` needs Terraform ≥ 1.14: run `cargo xtask test` once to install 1.15.5".into());
    };
    let base = crate::root().join("target/bench-query");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).map_err(|e| e.to_string())?;
    let bench = Bench::new(&base, &tf, &target.join("terraform-provider-grafana"))?;
    let emu = tools::emulator(&target.join("amg-local"), &[])?;
    seed(&emu, n)?;
    println!("\n## adoption: terraform query under Terraform {tf_version} ({n} dashboards in {FOLDERS} folders)");

    let w = workdir(&base, &bench, &emu, n)?;
    let listed = bench.measure(&emu, &w, &["query"])?;
    report("query (identities and names)", &listed, n);
    let generated = bench.measure(&emu, &w, &["query", "-generate-config-out=generated.tf"])?;
    report("query -generate-config-out", &generated, n);
    let text = std::fs::read_to_string(w.dir.join("generated.tf")).map_err(|e| e.to_string())?;
    let imports = text.matches("import {").count();
    println!("generated.tf: {imports} import blocks, {:.1} MB", text.len() as f64 / 1e6);
    if imports != n {
        return Err(format!("expected {n} import blocks, found {imports}"));
    }
    Ok(())
}

/// `1.15.5` → 15.
fn minor(version: &str) -> u32 {
    version.split('.').nth(1).and_then(|m| m.parse().ok()).unwrap_or(0)
}

/// N corpus dashboards (distinct uids and titles) spread over nested folders.
fn seed(emu: &Emulator, n: usize) -> Result<(), String> {
    let post = |path: &str, body: String| match emu.api("POST", path, Some(&body)) {
        (200, _) => Ok(()),
        (s, b) => Err(format!("POST {path}: {s} {b}")),
    };
    for i in 0..FOLDERS {
        let parent = if i < 4 { serde_json::Value::Null } else { format!("f{}", i % 4).into() };
        post(
            "/api/folders",
            serde_json::json!({"uid": format!("f{i}"), "title": format!("Team {i}"), "parentUid": parent}).to_string(),
        )?;
    }
    let corpus = corpus()?;
    for i in 0..n {
        let model: serde_json::Value =
            serde_json::from_str(&dashboard_payload(&corpus[i % corpus.len()], i)).map_err(|e| e.to_string())?;
        post(
            "/api/dashboards/db",
            serde_json::json!({"dashboard": model, "folderUid": format!("f{}", i % FOLDERS)}).to_string(),
        )?;
    }
    Ok(())
}

fn workdir(base: &Path, bench: &Bench, emu: &Emulator, n: usize) -> Result<Workdir, String> {
    let dir = base.join("adopt");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let main = "terraform {\n  required_providers {\n    grafana = { source = \"amg-oss/grafana\", version = \"0.1.0\" }\n  }\n}\n\nprovider \"grafana\" {}\n";
    std::fs::write(dir.join("main.tf"), main).map_err(|e| e.to_string())?;
    let query = format!("list \"grafana_dashboard\" \"all\" {{\n  provider = grafana\n  limit    = {n}\n}}\n");
    std::fs::write(dir.join("adopt.tfquery.hcl"), query).map_err(|e| e.to_string())?;
    let w = Workdir { dir, env: bench.env(emu) };
    bench.terraform(&w, &["init", "-input=false"])?;
    Ok(w)
}

fn report(what: &str, c: &Cost, n: usize) {
    let calls: Vec<String> = c.calls.iter().map(|(k, v)| format!("{v} {k}")).collect();
    println!(
        "{what:<30} wall {:>6.2} s, CPU {:.2} s of which the provider's {:.2} s ({} processes, peak RSS {:.1} MB), {} requests = {:.3} per dashboard: {}",
        c.wall.as_secs_f64(),
        c.total_cpu.as_secs_f64(),
        c.cpu.as_secs_f64(),
        c.processes,
        c.rss_kib as f64 / 1024.0,
        c.calls_total(),
        c.calls_total() as f64 / n.max(1) as f64,
        calls.join(", ")
    );
}
