//! The provider section of `cargo xtask bench`: real Terraform against `amg-local`, this provider
//! beside the same payloads through Terraform's built-in `terraform_data`, which costs Terraform
//! core's own work and nothing else (no plugin process, no network).
//!
//! The provider binary in the filesystem mirror is a wrapper (`xtask wrap-plugin`) that runs the
//! real one, waits for it and appends its CPU time and peak RSS to a log, as GNU `time` would; a
//! command's figures are summed (CPU) or maxed (RSS) over every plugin process it launched.
//! API calls come from the difference of `/_amg-local/stats` around each command.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::tools::{self, Emulator};

/// Terraform's default `-parallelism`.
const PARALLELISM: f64 = 10.0;

pub struct Options {
    /// Dashboards (and data sources) per run.
    pub n: usize,
    /// Latency of the second emulator in the latency-hiding run, in milliseconds.
    pub latency_ms: u64,
}

/// What one Terraform command cost.
pub(crate) struct Cost {
    pub(crate) wall: Duration,
    /// Provider CPU (user + system) summed over its processes, and the peak RSS of any of them.
    pub(crate) cpu: Duration,
    pub(crate) rss_kib: u64,
    pub(crate) processes: usize,
    /// Terraform's own CPU plus its plugins' (this process's waited-for children).
    pub(crate) total_cpu: Duration,
    /// Grafana API requests, by `METHOD route`.
    pub(crate) calls: BTreeMap<String, u64>,
}

impl Cost {
    pub(crate) fn calls_total(&self) -> u64 {
        self.calls.values().sum()
    }
}

pub fn run(target: &Path, opts: &Options) -> Result<(), String> {
    let tools = tools::ensure()?;
    let (tf_version, tf) = tools.terraforms[0].clone();
    let base = crate::root().join("target/bench");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).map_err(|e| e.to_string())?;
    let bench = Bench::new(&base, &tf, &target.join("terraform-provider-grafana"))?;
    let corpus = corpus()?;
    let avg = corpus.iter().map(String::len).sum::<usize>() / corpus.len().max(1);
    println!(
        "\n## provider under Terraform {tf_version} (N = {}, {} corpus dashboards cycled, {:.0} KB on average)",
        opts.n,
        corpus.len(),
        avg as f64 / 1000.0
    );

    let emu = tools::emulator(&target.join("amg-local"), &[])?;
    let dashboards: Vec<String> = (0..opts.n).map(|i| dashboard_payload(&corpus[i % corpus.len()], i)).collect();
    let ours = bench.workdir("dashboards", &emu, &dashboards, Kind::Dashboard)?;
    let data = bench.workdir("dashboards-terraform-data", &emu, &dashboards, Kind::TerraformData)?;
    let rows = bench.compare(&emu, &ours, &data, opts.n)?;
    report("grafana_dashboard", opts.n, &rows);

    let sources: Vec<String> = (0..opts.n).map(datasource_payload).collect();
    let ours = bench.workdir("datasources", &emu, &sources, Kind::DataSource)?;
    let data = bench.workdir("datasources-terraform-data", &emu, &sources, Kind::TerraformDataSource)?;
    let rows = bench.compare(&emu, &ours, &data, opts.n)?;
    report("grafana_data_source", opts.n, &rows);
    drop(emu);

    println!("\n### latency hiding ({} small dashboards, -parallelism={PARALLELISM})", opts.n);
    println!(
        "efficiency = (requests × latency / parallelism) ÷ (time with latency − time without); budget ≥ 0.9 (requests: N per phase; destroy refreshes first)"
    );
    let small: Vec<String> = (0..opts.n).map(small_dashboard).collect();
    let mut times: Vec<(u64, Vec<(&str, Cost)>)> = Vec::new();
    for latency in [0, opts.latency_ms] {
        let emu = tools::emulator(&target.join("amg-local"), &["--latency-ms", &latency.to_string()])?;
        let w = bench.workdir(&format!("latency-{latency}"), &emu, &small, Kind::Dashboard)?;
        let apply = bench.measure(&emu, &w, &["apply", "-auto-approve", "-input=false"])?;
        let refresh = bench.measure(&emu, &w, &["plan", "-input=false", "-detailed-exitcode"])?;
        let destroy = bench.measure(&emu, &w, &["destroy", "-auto-approve", "-input=false"])?;
        times.push((latency, vec![("apply", apply), ("refresh plan", refresh), ("destroy", destroy)]));
    }
    let (fast, slow) = (&times[0].1, &times[1].1);
    for ((name, a), (_, b)) in fast.iter().zip(slow) {
        let added = b.wall.as_secs_f64() - a.wall.as_secs_f64();
        let ideal = b.calls_total() as f64 * opts.latency_ms as f64 / 1000.0 / PARALLELISM;
        println!(
            "{name:<13} {:>6.2} s at 0 ms, {:>6.2} s at {} ms ({} requests): added {:>5.2} s, ideal {:>5.2} s, efficiency {:.2} {}",
            a.wall.as_secs_f64(),
            b.wall.as_secs_f64(),
            opts.latency_ms,
            b.calls_total(),
            added,
            ideal,
            ideal / added.max(1e-9),
            verdict(ideal / added.max(1e-9) >= 0.9)
        );
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Dashboard,
    DataSource,
    /// `terraform_data` with the dashboard's `config_json` expression.
    TerraformData,
    /// `terraform_data` with the data source's expressions, as one object.
    TerraformDataSource,
}

pub(crate) struct Workdir {
    pub(crate) dir: PathBuf,
    pub(crate) env: Vec<(String, String)>,
}

pub(crate) struct Bench {
    tf: PathBuf,
    rc: PathBuf,
    /// Where the wrapper appends one line per plugin process.
    log: PathBuf,
}

impl Bench {
    /// A filesystem mirror whose provider is the wrapper around `provider`.
    pub(crate) fn new(base: &Path, tf: &Path, provider: &Path) -> Result<Bench, String> {
        let log = base.join("plugin-usage.log");
        let wrapper = base.join("wrapper");
        let me = std::env::current_exe().map_err(|e| e.to_string())?;
        let script = format!(
            "#!/bin/sh\nexec \"{}\" wrap-plugin \"{}\" \"{}\"\n",
            me.display(),
            log.display(),
            provider.display()
        );
        std::fs::write(&wrapper, script).map_err(|e| e.to_string())?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())?;
        let rc = tools::cli_config(base, &wrapper)?;
        Ok(Bench { tf: tf.to_path_buf(), rc, log })
    }

    /// A directory with the payloads as files and one resource per file; initialised.
    fn workdir(&self, name: &str, emu: &Emulator, payloads: &[String], kind: Kind) -> Result<Workdir, String> {
        let dir = self.log.parent().expect("base").join(name);
        let files = dir.join("payloads");
        std::fs::create_dir_all(&files).map_err(|e| e.to_string())?;
        for (i, p) in payloads.iter().enumerate() {
            std::fs::write(files.join(format!("{i:05}.json")), p).map_err(|e| e.to_string())?;
        }
        let body = match kind {
            Kind::Dashboard => {
                "resource \"grafana_dashboard\" \"d\" {\n  for_each    = local.files\n  config_json = file(\"${path.module}/payloads/${each.value}\")\n}\n"
            }
            Kind::DataSource => {
                "resource \"grafana_data_source\" \"d\" {\n  for_each = { for f in local.files : f => jsondecode(file(\"${path.module}/payloads/${f}\")) }\n  uid      = each.value.uid\n  name     = each.value.name\n  type     = each.value.type\n  url      = each.value.url\n  json_data_encoded = jsonencode(each.value.jsonData)\n}\n"
            }
            Kind::TerraformData => {
                "resource \"terraform_data\" \"d\" {\n  for_each = local.files\n  input    = file(\"${path.module}/payloads/${each.value}\")\n}\n"
            }
            Kind::TerraformDataSource => {
                "resource \"terraform_data\" \"d\" {\n  for_each = { for f in local.files : f => jsondecode(file(\"${path.module}/payloads/${f}\")) }\n  input = {\n    uid               = each.value.uid\n    name              = each.value.name\n    type              = each.value.type\n    url               = each.value.url\n    json_data_encoded = jsonencode(each.value.jsonData)\n  }\n}\n"
            }
        };
        let provider = if matches!(kind, Kind::TerraformData | Kind::TerraformDataSource) {
            ""
        } else {
            "terraform {\n  required_providers {\n    grafana = { source = \"amg-oss/grafana\", version = \"0.1.0\" }\n  }\n}\n\nprovider \"grafana\" {}\n\n"
        };
        let cfg =
            format!("{provider}locals {{\n  files = fileset(\"${{path.module}}/payloads\", \"*.json\")\n}}\n\n{body}");
        std::fs::write(dir.join("main.tf"), cfg).map_err(|e| e.to_string())?;
        let w = Workdir { dir, env: self.env(emu) };
        self.terraform(&w, &["init", "-input=false"])?;
        Ok(w)
    }

    /// The environment Terraform runs in: the mirror with the wrapper, the provider on `emu`.
    pub(crate) fn env(&self, emu: &Emulator) -> Vec<(String, String)> {
        vec![
            ("TF_CLI_CONFIG_FILE".into(), self.rc.to_string_lossy().into_owned()),
            ("GRAFANA_URL".into(), emu.grafana_url.clone()),
            ("GRAFANA_AUTH".into(), emu.admin_token.clone()),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            ("TF_IN_AUTOMATION".into(), "1".into()),
        ]
    }

    pub(crate) fn terraform(&self, w: &Workdir, args: &[&str]) -> Result<(), String> {
        let out = Command::new(&self.tf)
            .current_dir(&w.dir)
            .args(args)
            .arg("-no-color")
            .envs(w.env.iter().map(|(k, v)| (k, v)))
            .output()
            .map_err(|e| e.to_string())?;
        // `plan -detailed-exitcode` exits 0 for an empty plan; anything else is a finding here.
        if !out.status.success() {
            return Err(format!(
                "terraform {} in {} failed ({}):\n{}{}",
                args.join(" "),
                w.dir.display(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(())
    }

    /// Runs one Terraform command and returns what it cost.
    pub(crate) fn measure(&self, emu: &Emulator, w: &Workdir, args: &[&str]) -> Result<Cost, String> {
        let _ = std::fs::remove_file(&self.log);
        let before = requests(emu)?;
        let children = children_cpu();
        let t = Instant::now();
        self.terraform(w, args)?;
        let wall = t.elapsed();
        let total_cpu = children_cpu().saturating_sub(children);
        let after = requests(emu)?;
        let mut calls = BTreeMap::new();
        for (k, v) in after {
            let d = v - before.get(&k).copied().unwrap_or(0);
            if d > 0 {
                calls.insert(k, d);
            }
        }
        let (mut cpu, mut rss_kib, mut processes) = (Duration::ZERO, 0, 0);
        for line in std::fs::read_to_string(&self.log).unwrap_or_default().lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if let [user, sys, rss] = f[..] {
                let s = |x: &str| x.parse::<f64>().unwrap_or(0.0);
                cpu += Duration::from_secs_f64(s(user) + s(sys));
                rss_kib = rss_kib.max(rss.parse().unwrap_or(0));
                processes += 1;
            }
        }
        Ok(Cost { wall, cpu, rss_kib, processes, total_cpu, calls })
    }

    /// apply, refresh plan, `plan -refresh=false` and destroy of both directories.
    fn compare(&self, emu: &Emulator, ours: &Workdir, data: &Workdir, n: usize) -> Result<Vec<Row>, String> {
        let mut rows = Vec::new();
        for (name, args) in [
            ("apply", &["apply", "-auto-approve", "-input=false"][..]),
            ("refresh plan", &["plan", "-input=false", "-detailed-exitcode"][..]),
            ("plan -refresh=false", &["plan", "-input=false", "-detailed-exitcode", "-refresh=false"][..]),
            ("destroy", &["destroy", "-auto-approve", "-input=false"][..]),
        ] {
            let a = self.measure(emu, ours, args)?;
            let b = self.measure(emu, data, args)?;
            if name == "apply" && held(emu)? < n as u64 {
                return Err(format!("after apply amg-local holds fewer than {n} objects"));
            }
            rows.push(Row { name, ours: a, data: b });
        }
        Ok(rows)
    }
}

struct Row {
    name: &'static str,
    ours: Cost,
    data: Cost,
}

fn report(what: &str, n: usize, rows: &[Row]) {
    println!("\n### {what} × {n} vs terraform_data × {n} (same payloads)");
    println!(
        "| command | this provider | terraform_data | ratio (≤ 1.0) | provider CPU | per resource (≤ 1 ms) | peak RSS (≤ 32 MB) | plugin processes | Terraform+plugin CPU | API calls per resource |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        let ratio = r.ours.wall.as_secs_f64() / r.data.wall.as_secs_f64().max(1e-9);
        let per = r.ours.cpu.as_secs_f64() * 1000.0 / n as f64;
        let rss = r.ours.rss_kib as f64 / 1024.0;
        let calls: Vec<String> = r.ours.calls.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!(
            "| {} | {:.2} s | {:.2} s | {ratio:.2} {} | {:.2} s | {per:.2} ms {} | {rss:.1} MB {} | {} | {:.2} s | {:.2} ({}) |",
            r.name,
            r.ours.wall.as_secs_f64(),
            r.data.wall.as_secs_f64(),
            verdict(ratio <= 1.0),
            r.ours.cpu.as_secs_f64(),
            verdict(per <= 1.0),
            verdict(rss <= 32.0),
            r.ours.processes,
            r.ours.total_cpu.as_secs_f64(),
            r.ours.calls_total() as f64 / n as f64,
            calls.join(", ")
        );
    }
}

pub fn verdict(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

/// The corpus: the test fixtures (real exported dashboards, see tests/fixtures/dashboards).
pub(crate) fn corpus() -> Result<Vec<String>, String> {
    let dir = crate::root().join("tests/fixtures/dashboards");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    names.iter().map(|p| std::fs::read_to_string(p).map_err(|e| e.to_string())).collect()
}

/// A corpus dashboard with a distinct uid and title; the export-only keys dropped (no inputs to
/// fill, so both sides carry the same text).
pub(crate) fn dashboard_payload(text: &str, i: usize) -> String {
    let mut model: Value = serde_json::from_str(text).unwrap_or_default();
    if let Some(m) = model.as_object_mut() {
        for k in ["__inputs", "__requires", "__elements", "id"] {
            m.remove(k);
        }
        let title = m.get("title").and_then(Value::as_str).unwrap_or("Dashboard").to_string();
        m.insert("uid".into(), Value::String(format!("bench-{i:05}")));
        m.insert("title".into(), Value::String(format!("{title} #{i}")));
    }
    serde_json::to_string_pretty(&model).unwrap_or_default()
}

fn small_dashboard(i: usize) -> String {
    serde_json::json!({"uid": format!("small-{i:05}"), "title": format!("Small {i}"), "panels": [{"id": 1, "type": "stat", "title": "up"}]}).to_string()
}

fn datasource_payload(i: usize) -> String {
    serde_json::json!({
        "uid": format!("ds-{i:05}"),
        "name": format!("Prometheus {i}"),
        "type": "prometheus",
        "url": format!("https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-{i:05}/"),
        "jsonData": {"httpMethod": "POST", "sigV4Auth": true, "sigV4AuthType": "ec2_iam_role", "sigV4Region": "us-east-1"},
    })
    .to_string()
}

/// Request counts by `METHOD route` on the Grafana API (the control plane and `/_amg-local` aside).
fn requests(emu: &Emulator) -> Result<BTreeMap<String, u64>, String> {
    let stats = emu.try_stats()?;
    let mut out = BTreeMap::new();
    for r in stats["requests"].as_array().into_iter().flatten() {
        let route = r["route"].as_str().unwrap_or_default();
        if route.starts_with("/api") {
            *out.entry(format!("{} {route}", r["method"].as_str().unwrap_or_default())).or_insert(0) +=
                r["count"].as_u64().unwrap_or(0);
        }
    }
    Ok(out)
}

fn held(emu: &Emulator) -> Result<u64, String> {
    let stats = emu.try_stats()?;
    let ws = stats["workspaces"].as_object().and_then(|m| m.values().next()).cloned().unwrap_or_default();
    Ok(ws["dashboards"].as_u64().unwrap_or(0).max(ws["datasources"].as_u64().unwrap_or(0)))
}

/// CPU used by this process's waited-for children and their waited-for descendants.
fn children_cpu() -> Duration {
    let (user, sys, _) = rusage_children();
    user + sys
}

fn rusage_children() -> (Duration, Duration, u64) {
    // SAFETY: getrusage writes one plain struct we own.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (tv(u.ru_utime), tv(u.ru_stime), u.ru_maxrss as u64)
}

/// `xtask wrap-plugin <log> <provider>`: runs the provider with this process's stdio and
/// environment, then appends `user_seconds system_seconds max_rss_kib` to the log.
pub fn wrap_plugin(args: &[String]) -> Result<(), String> {
    let [log, provider] = args else { return Err("usage: xtask wrap-plugin <log> <provider>".into()) };
    let status = Command::new(provider).status().map_err(|e| format!("{provider}: {e}"))?;
    let (user, sys, rss) = rusage_children();
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(log).map_err(|e| format!("{log}: {e}"))?;
    // One short line per write: appends of this size do not interleave.
    f.write_all(format!("{:.6} {:.6} {rss}\n", user.as_secs_f64(), sys.as_secs_f64()).as_bytes())
        .map_err(|e| e.to_string())?;
    std::process::exit(status.code().unwrap_or(1));
}
