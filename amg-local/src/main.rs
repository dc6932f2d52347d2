//! `amg-local`: a local, stateful Amazon Managed Grafana for tests and offline playgrounds.
//!
//! It serves the AMG control plane (service `grafana`, restJson1) on one loopback port and each
//! workspace's Grafana HTTP API on a port of its own, so `DescribeWorkspace.endpoint` is a bare
//! `host:port`. When ready it prints one JSON line on stdout and nothing else there; logs go to
//! stderr. It runs until SIGINT or SIGTERM and exits 0.
//!
//! Layers, each knowing only those below it (no module imports one above it):
//! - [`world`]: all state and its rules; no HTTP, no flags, no files;
//! - [`control`] (the AMG control plane) and [`grafana`] (a workspace's Grafana API): HTTP
//!   handlers over the world; the control plane opens workspace listeners through the
//!   [`control::Host`] it is handed;
//! - [`serve`]: the transport on top (listeners, faults, counters), implementing `Host`;
//! - [`tls`] (the CA and certificate of `--tls`) and [`args`] (the command line), used by `main`.

// Handlers answer errors as ready HTTP responses (axum's way); their size does not matter here.
#![allow(clippy::result_large_err)]

mod args;
mod control;
mod grafana;
mod serve;
mod tls;
mod world;

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args = match args::Args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("amg-local: {e}\n\n{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("amg-local: {e}");
            ExitCode::from(1)
        }
    }
}

async fn run(args: args::Args) -> Result<(), String> {
    let tls = if args.tls { Some(tls::make_tls().map_err(|e| format!("starting: {e}"))?) } else { None };
    let profile = world::Profile::parse(&args.grafana_version).unwrap_or(world::Profile::V12_4);
    let world = world::World::new(
        args.seed,
        profile,
        tls.is_some(),
        args.prometheus_sigv4_migration,
        args.access_control,
        args.deny.clone(),
        std::time::Duration::from_millis(args.settle_ms),
    );
    let transport = serve::Transport {
        world: world.clone(),
        ip: args.listen.ip(),
        faults: serve::Faults { fault_rate: args.fault_rate, drop_rate: args.drop_rate, latency_ms: args.latency_ms },
        control_faults: serve::Faults {
            fault_rate: args.control_fault_rate,
            drop_rate: args.control_drop_rate,
            latency_ms: 0,
        },
        tls: tls.as_ref().map(|t| t.server.clone()),
    };
    let control_addr = transport.start_control_plane(args.listen).await?;
    let ws = control::create_default_workspace(&world, &transport)?;
    let admin_token = world.mint_admin_token(&ws);
    let mut ready = serde_json::json!({
        "control_plane_url": format!("http://{control_addr}"),
        "region": world::REGION,
        "workspace_id": ws.id,
        "grafana_url": ws.grafana_url(),
        "admin_token": admin_token,
    });
    if let Some(tls) = &tls {
        ready["ca_cert_file"] = serde_json::json!(tls.ca_file.to_string_lossy());
    }
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{ready}");
        let _ = out.flush();
    }
    eprintln!(
        "amg-local: ready; control plane http://{control_addr}, workspace {} (Grafana {}) at {}",
        ws.id,
        ws.profile.label(),
        ws.grafana_url()
    );
    wait_for_signal().await;
    eprintln!("amg-local: stopping");
    // The CA file is only for this run's clients.
    if let Some(dir) = tls.as_ref().and_then(|t| t.ca_file.parent()) {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = int.recv() => {},
        _ = term.recv() => {},
    }
}
