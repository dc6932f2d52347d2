//! `amg-local`: a local, stateful Amazon Managed Grafana for tests and offline playgrounds.
//!
//! It serves the AMG control plane (service `grafana`, restJson1) on one loopback port and each
//! workspace's Grafana HTTP API on a port of its own, so `DescribeWorkspace.endpoint` is a bare
//! `host:port`. When ready it prints one JSON line on stdout and nothing else there; logs go to
//! stderr. It runs until SIGINT or SIGTERM and exits 0.
//!
//! Modules: [`args`] (command line), [`world`] (all state), [`control`] (control plane),
//! [`grafana`] (workspace Grafana API), [`serve`] (listeners, TLS, faults, stats).

mod args;
mod control;
mod grafana;
mod serve;
mod world;

use std::process::ExitCode;
use std::sync::Arc;

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
    let world = world::World::new(&args).map_err(|e| format!("starting: {e}"))?;
    let control_addr = serve::start_control_plane(world.clone(), args.listen).await?;
    let ws = control::create_default_workspace(&world).await?;
    let admin_token = world.mint_admin_token(&ws);
    let mut ready = serde_json::json!({
        "control_plane_url": format!("http://{control_addr}"),
        "region": world::REGION,
        "workspace_id": ws.id,
        "grafana_url": ws.grafana_url(),
        "admin_token": admin_token,
    });
    if let Some(tls) = &world.tls {
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

/// Shared handle to the emulator's state.
pub type Shared = Arc<world::World>;
