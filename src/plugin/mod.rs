//! The go-plugin host contract: how Terraform (or OpenTofu) starts, reaches and stops us.
//!
//! Order matters and is the whole of [`main`]: install ring as rustls' process-wide crypto
//! provider (before anything builds a TLS config), start logging, check the magic cookie and
//! protocol version, listen on a unix socket in a private directory, serve gRPC with the
//! AutoMTLS certificate, and only then print the handshake line, the one write to stdout.
//! SIGINT is ignored (Terraform sends `StopProvider` instead; dying would lose a resource just
//! created); SIGTERM, `GRPCController.Shutdown` and the death of the process that started us
//! (Terraform killed by `kill -9`, a CI timeout or the OOM killer) end the process, each after
//! the provider has revoked the tokens it minted.

mod goplugin;
mod mtls;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use tokio::net::UnixListener;
use tokio_stream::wrappers::UnixListenerStream;
use tonic::transport::Server;

use crate::provider::Provider;
use crate::tfplugin::{self, goplugin as pb};

/// The cookie Terraform sets so a plugin knows it was started by Terraform.
const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// Where users install this provider from; the key of `TF_REATTACH_PROVIDERS` in debug mode.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/amg-oss/grafana";
/// The one protocol this provider speaks.
const PROTOCOL_VERSION: u32 = 6;
/// terraform-plugin-go's limit; dashboards can be large.
const MAX_MESSAGE_BYTES: usize = 256 << 20;
/// How often the provider checks that the process that started it is still its parent.
const HOST_POLL: std::time::Duration = std::time::Duration::from_millis(500);
/// How long requests still in flight may run once the provider has been told to stop (or found
/// its host gone) and has revoked its tokens; then the process ends regardless.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// Runs the plugin; returns the process exit code.
pub fn main() -> ExitCode {
    // Before anything else: the AWS SDK links aws-lc, tonic links ring, so rustls cannot pick
    // a provider by itself (it panics), and aws-lc breaks Terraform's handshake.
    let _ = rustls::crypto::ring::default_provider().install_default();
    crate::logging::init();
    let debug = debug_mode();
    if !debug && std::env::var(MAGIC_COOKIE_KEY).as_deref() != Ok(MAGIC_COOKIE_VALUE) {
        eprintln!(
            "This binary is a plugin for Terraform and OpenTofu (the Grafana provider); \
             it is not meant to be run by hand.\n\
             Terraform starts it when a configuration uses the `{PROVIDER_ADDRESS}` provider.\n\
             To debug it, run it with --debug and export the TF_REATTACH_PROVIDERS value it prints."
        );
        return ExitCode::from(1);
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let served = rt.block_on(serve(debug));
    // Blocking work still running (a credential file read, say) must not keep an orphan alive.
    rt.shutdown_timeout(SHUTDOWN_GRACE);
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "plugin failed");
            eprintln!("terraform-provider-grafana: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Whether the process was started by hand in debug mode (`--debug`), for Terraform to attach
/// to through `TF_REATTACH_PROVIDERS`: then its environment is the shell's, not Terraform's.
pub fn debug_mode() -> bool {
    std::env::args().skip(1).any(|a| a == "--debug" || a == "-debug")
}

async fn serve(debug: bool) -> anyhow::Result<()> {
    // The process that started us: Terraform, or a shell in debug mode (not watched).
    let host = std::os::unix::process::parent_id();
    if !debug {
        check_protocol_versions()?;
    }
    // A unix socket in a fresh 0700 directory: only this user can connect (go-plugin does the same).
    let dir = private_dir()?;
    let sock = dir.path.join("plugin.sock");
    let listener = UnixListener::bind(&sock).with_context(|| format!("binding {}", sock.display()))?;

    let provider = Arc::new(Provider::new());
    let shutdown = Arc::new(tokio::sync::Notify::new());
    let mut cert_b64 = String::new();
    // AutoMTLS: Terraform sends its client certificate and pins ours from the handshake line;
    // only a client with its certificate gets through.
    let tls = match std::env::var("PLUGIN_CLIENT_CERT") {
        Ok(client) if !debug => {
            let (key, der) = server_certificate()?;
            cert_b64 = base64::engine::general_purpose::STANDARD_NO_PAD.encode(&der);
            Some(mtls::acceptor(&client, der, key)?)
        }
        _ => None,
    };
    let router = Server::builder()
        .add_service(
            tfplugin::ProviderServer::new(tfplugin::Service::new(provider.clone()))
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
        )
        .add_service(pb::grpc_controller_server::GrpcControllerServer::new(goplugin::Controller {
            shutdown: shutdown.clone(),
            provider: provider.clone(),
        }))
        .add_service(pb::grpc_stdio_server::GrpcStdioServer::new(goplugin::Stdio))
        .add_service(pb::grpc_broker_server::GrpcBrokerServer::new(goplugin::Broker));

    ignore_sigint();
    let (stopped, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    let stop = until_stopped(shutdown.clone(), provider.clone(), (!debug).then_some(host), stopped);
    let mut server = match tls {
        Some(acceptor) => tokio::spawn(router.serve_with_incoming_shutdown(mtls::incoming(listener, acceptor), stop)),
        None => tokio::spawn(router.serve_with_incoming_shutdown(UnixListenerStream::new(listener), stop)),
    };

    let addr = sock.display();
    if debug {
        print_reattach(&sock)?;
    } else {
        handshake(&format!("1|{PROTOCOL_VERSION}|unix|{addr}|grpc|{cert_b64}"))?;
    }
    // Once stopped (tokens revoked), requests still in flight get SHUTDOWN_GRACE to finish:
    // a connection whose peer was killed must not keep the process alive.
    let grace = async {
        if stopped_rx.await.is_ok() {
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        served = &mut server => served.context("server task")?.context("gRPC server")?,
        () = grace => tracing::warn!("requests still in flight after shutdown; exiting without them"),
    }
    drop(dir);
    Ok(())
}

/// Resolves once the provider should stop (Terraform's `Shutdown`, SIGTERM, or the death of
/// `host`, the process that started it, when watched), after the provider revoked its tokens;
/// then tells `stopped`.
async fn until_stopped(
    shutdown: Arc<tokio::sync::Notify>,
    provider: Arc<Provider>,
    host: Option<u32>,
    stopped: tokio::sync::oneshot::Sender<()>,
) {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = shutdown.notified() => tracing::info!("shutdown requested by Terraform"),
        _ = term.recv() => tracing::info!("SIGTERM received"),
        _ = host_gone(host.unwrap_or_default()), if host.is_some() => tracing::warn!(
            host_pid = host,
            "the process that started this provider is gone (killed?); revoking minted tokens and exiting"
        ),
    }
    provider.shutdown().await;
    let _ = stopped.send(());
}

/// Debug mode's hint on stdout, where no Terraform is listening: how to attach one.
fn print_reattach(sock: &std::path::Path) -> anyhow::Result<()> {
    use std::io::Write;
    let reattach = serde_json::json!({ PROVIDER_ADDRESS: {
        "Protocol": "grpc", "ProtocolVersion": PROTOCOL_VERSION, "Pid": std::process::id(), "Test": true,
        "Addr": { "Network": "unix", "String": sock.to_string_lossy() }
    }});
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Provider started in debug mode. To attach Terraform, run in another shell:\n\n\texport \
            TF_REATTACH_PROVIDERS='{reattach}'\n"
    )?;
    out.flush()?;
    Ok(())
}

/// Resolves when the process that started this one (`host`) is no longer its parent: it died
/// and this process was re-parented (to init or a subreaper). go-plugin gives a plugin no other
/// signal when Terraform is killed with SIGKILL. A poll rather than `PR_SET_PDEATHSIG`, which
/// fires when the parent *thread* that forked us exits, and Go's runtime may end threads.
async fn host_gone(host: u32) {
    let mut tick = tokio::time::interval(HOST_POLL);
    loop {
        tick.tick().await;
        if std::os::unix::process::parent_id() != host {
            return;
        }
    }
}

/// The handshake line: the only thing this process ever writes to stdout under Terraform.
fn handshake(line: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

fn check_protocol_versions() -> anyhow::Result<()> {
    let Ok(v) = std::env::var("PLUGIN_PROTOCOL_VERSIONS") else {
        return Ok(());
    };
    if v.split(',').any(|p| p.trim() == PROTOCOL_VERSION.to_string()) {
        return Ok(());
    }
    bail!(
        "this provider speaks plugin protocol {PROTOCOL_VERSION} only, and the client offered {v:?}; use Terraform ≥ \
            1.0 or OpenTofu ≥ 1.6"
    )
}

/// A self-signed certificate for `localhost` (ECDSA P-256): its key (PKCS#8 DER) and DER.
fn server_certificate() -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])?;
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages =
        vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth, rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    params.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
    params.distinguished_name.push(rcgen::DnType::OrganizationName, "HashiCorp");
    let cert = params.self_signed(&key)?;
    Ok((key.serialize_der(), cert.der().to_vec()))
}

/// SIGINT goes to the whole process group when the user presses Ctrl-C; Terraform handles it
/// and calls `StopProvider`. Consuming the signal here keeps the process alive for that.
fn ignore_sigint() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()) {
        Ok(mut s) => {
            tokio::spawn(async move {
                while s.recv().await.is_some() {
                    tracing::info!("SIGINT ignored; waiting for Terraform to stop the provider");
                }
            });
        }
        Err(e) => tracing::warn!(error = %e, "cannot install the SIGINT handler"),
    }
}

/// A 0700 temporary directory, removed on drop.
struct PrivateDir {
    path: std::path::PathBuf,
}

fn private_dir() -> anyhow::Result<PrivateDir> {
    use std::os::unix::fs::DirBuilderExt;
    let base =
        std::env::var_os("PLUGIN_UNIX_SOCKET_DIR").map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
    for attempt in 0..16u32 {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let path = base.join(format!("tfprov-grafana-{}-{nanos:x}-{attempt}", std::process::id()));
        match std::fs::DirBuilder::new().mode(0o700).create(&path) {
            Ok(()) => return Ok(PrivateDir { path }),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
        }
    }
    bail!("cannot create a private socket directory in {}", base.display())
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
