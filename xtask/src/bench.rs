//! `cargo xtask bench`: prints numbers; it never fails on a threshold (speed targets do not
//! belong in tests that flake). Release builds; loopback only; bounded in count and time.
//!
//! - provider: time from process start to the handshake line (median of 20), binary size;
//! - amg-local: requests per second for GET and POST of a dashboard, with keep-alive
//!   connections from this process (client and server share the machine's cores);
//! - the provider under real Terraform beside `terraform_data` (see `bench_provider.rs`);
//! - adoption: `terraform query` over N dashboards (see `bench_query.rs`).
//!
//! `cargo xtask bench [--n 100|300|1000] [--latency-ms 400] [--only basics|provider|query]`

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::tools::{self, request};
use crate::{cargo, root, run as run_cmd};

pub fn run(args: &[String]) -> Result<(), String> {
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1));
    let number = |flag: &str, default: u64| match value(flag) {
        Some(v) => v.parse::<u64>().map_err(|_| format!("{flag} {v}: expected a whole number")),
        None => Ok(default),
    };
    let opts =
        crate::bench_provider::Options { n: number("--n", 100)? as usize, latency_ms: number("--latency-ms", 400)? };
    let only = value("--only").map(String::as_str);
    run_cmd(cargo().current_dir(root()).args(["build", "--locked", "--release", "--workspace", "--bins"]))?;
    let target = root().join("target/release");
    if only.is_none() || only == Some("basics") {
        basics(&target)?;
    }
    if only.is_none() || only == Some("provider") {
        crate::bench_provider::run(&target, &opts)?;
    }
    if only.is_none() || only == Some("query") {
        crate::bench_query::run(&target, opts.n)?;
    }
    Ok(())
}

/// Start-up, size and the emulator's throughput.
fn basics(target: &std::path::Path) -> Result<(), String> {
    let provider = target.join("terraform-provider-grafana");
    println!("## terraform-provider-grafana");
    let size = std::fs::metadata(&provider).map_err(|e| e.to_string())?.len();
    let mb = size as f64 / 1e6;
    println!(
        "binary size: {:.1} MiB ({size} bytes, release, AWS SDK linked; budget ≤ 20 MB) {}",
        size as f64 / (1 << 20) as f64,
        crate::bench_provider::verdict(mb <= 20.0)
    );
    let mut times = Vec::new();
    for _ in 0..20 {
        times.push(handshake_time(&provider)?);
    }
    times.sort();
    println!(
        "start → handshake line: median {:.1} ms, min {:.1} ms, max {:.1} ms (20 runs; budget ≤ 5 ms) {}",
        ms(times[10]),
        ms(times[0]),
        ms(times[19]),
        crate::bench_provider::verdict(ms(times[10]) <= 5.0)
    );

    println!("\n## amg-local (loopback, {} cores)", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let emu = tools::emulator(&target.join("amg-local"), &[])?;
    let host = emu.grafana_url.trim_start_matches("http://").to_string();
    let dash = r#"{"dashboard":{"uid":"bench","title":"Bench","panels":[{"id":1,"type":"timeseries","title":"CPU","targets":[{"expr":"rate(x[5m])"}]}]},"overwrite":true}"#;
    let (s, _) = request(
        &mut TcpStream::connect(&host).map_err(|e| e.to_string())?,
        "POST",
        "/api/dashboards/db",
        &emu.admin_token,
        dash,
    )?;
    if s != 200 {
        return Err(format!("seeding the dashboard failed: {s}"));
    }
    for (label, method, path, body) in [
        ("GET  /api/dashboards/uid/:uid", "GET", "/api/dashboards/uid/bench", ""),
        ("POST /api/dashboards/db      ", "POST", "/api/dashboards/db", dash),
    ] {
        for conns in [1usize, 4] {
            let rps = load(&host, &emu.admin_token, method, path, body, conns, Duration::from_secs(3))?;
            println!("{label} {conns} connection(s): {rps:>8.0} requests/s");
        }
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn handshake_time(provider: &std::path::Path) -> Result<Duration, String> {
    let t = Instant::now();
    let mut child = Command::new(provider)
        .env("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_CLIENT_CERT", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).map_err(|e| e.to_string())?;
    let d = t.elapsed();
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
    if !line.starts_with("1|6|") {
        return Err(format!("unexpected handshake line {line:?}"));
    }
    Ok(d)
}

/// `conns` keep-alive connections, each in its own thread, for `dur`; total requests per second.
fn load(
    host: &str,
    token: &str,
    method: &str,
    path: &str,
    body: &str,
    conns: usize,
    dur: Duration,
) -> Result<f64, String> {
    let start = Instant::now();
    let handles: Vec<_> = (0..conns)
        .map(|_| {
            let (host, token, method, path, body) =
                (host.to_string(), token.to_string(), method.to_string(), path.to_string(), body.to_string());
            std::thread::spawn(move || -> Result<u64, String> {
                let mut s = TcpStream::connect(&host).map_err(|e| e.to_string())?;
                s.set_nodelay(true).map_err(|e| e.to_string())?;
                let mut n = 0u64;
                while start.elapsed() < dur && n < 5_000_000 {
                    let (status, _) = request(&mut s, &method, &path, &token, &body)?;
                    if status != 200 {
                        return Err(format!("{method} {path}: {status}"));
                    }
                    n += 1;
                }
                Ok(n)
            })
        })
        .collect();
    let mut total = 0;
    for h in handles {
        total += h.join().map_err(|_| "load thread panicked".to_string())??;
    }
    Ok(total as f64 / start.elapsed().as_secs_f64())
}
