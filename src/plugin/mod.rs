//! The go-plugin host contract: how Terraform (or OpenTofu) starts, reaches and stops us.
//!
//! Order matters and is the whole of [`main`]: install ring as rustls' process-wide crypto
//! provider (before anything builds a TLS config), start logging, check the magic cookie and
//! protocol version, listen on a unix socket in a private directory, serve gRPC with the
//! AutoMTLS certificate, and only then print the handshake line, the one write to stdout.
//! SIGINT is ignored (Terraform sends `StopProvider` instead; dying would lose a resource just
//! created); SIGTERM and `GRPCController.Shutdown` end the process.

mod goplugin;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use tokio::net::UnixListener;
use tokio_stream::wrappers::UnixListenerStream;
use tonic::transport::{Identity, Server, ServerTlsConfig};

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

/// Runs the plugin; returns the process exit code.
pub fn main() -> ExitCode {
    // Before anything else: the AWS SDK links aws-lc, tonic links ring, so rustls cannot pick
    // a provider by itself (it panics), and aws-lc breaks Terraform's handshake.
    let _ = rustls::crypto::ring::default_provider().install_default();
    crate::logging::init();
    let debug = std::env::args().skip(1).any(|a| a == "--debug" || a == "-debug");
    if !debug && std::env::var(MAGIC_COOKIE_KEY).as_deref() != Ok(MAGIC_COOKIE_VALUE) {
        eprintln!(
            "This binary is a plugin for Terraform and OpenTofu (the Grafana provider); it is not meant to be run by hand.\n\
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
    match rt.block_on(serve(debug)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "plugin failed");
            eprintln!("terraform-provider-grafana: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn serve(debug: bool) -> anyhow::Result<()> {
    if !debug {
        check_protocol_versions()?;
    }
    // A unix socket in a fresh 0700 directory: only this user can connect (go-plugin does the same).
    let dir = private_dir()?;
    let sock = dir.path.join("plugin.sock");
    let listener = UnixListener::bind(&sock).with_context(|| format!("binding {}", sock.display()))?;

    let provider = Arc::new(Provider::new());
    let shutdown = Arc::new(tokio::sync::Notify::new());
    let mut builder = Server::builder();
    let mut cert_b64 = String::new();
    // AutoMTLS: Terraform sends its client certificate and pins ours from the handshake line.
    if !debug && std::env::var_os("PLUGIN_CLIENT_CERT").is_some() {
        let (pem, key, der) = server_certificate()?;
        cert_b64 = base64::engine::general_purpose::STANDARD_NO_PAD.encode(der);
        builder = builder
            .tls_config(ServerTlsConfig::new().identity(Identity::from_pem(pem, key)))
            .context("configuring TLS")?;
    }
    let router = builder
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
    let stop = {
        let shutdown = shutdown.clone();
        let provider = provider.clone();
        async move {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
            tokio::select! {
                _ = shutdown.notified() => tracing::info!("shutdown requested by Terraform"),
                _ = term.recv() => tracing::info!("SIGTERM received"),
            }
            provider.shutdown().await;
        }
    };
    let server = tokio::spawn(router.serve_with_incoming_shutdown(UnixListenerStream::new(listener), stop));

    let addr = sock.display();
    if debug {
        let reattach = serde_json::json!({ PROVIDER_ADDRESS: {
            "Protocol": "grpc", "ProtocolVersion": PROTOCOL_VERSION, "Pid": std::process::id(), "Test": true,
            "Addr": { "Network": "unix", "String": sock.to_string_lossy() }
        }});
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "Provider started in debug mode. To attach Terraform, run in another shell:\n\n\texport TF_REATTACH_PROVIDERS='{reattach}'\n"
        )?;
        out.flush()?;
    } else {
        handshake(&format!("1|{PROTOCOL_VERSION}|unix|{addr}|grpc|{cert_b64}"))?;
    }
    server.await.context("server task")?.context("gRPC server")?;
    drop(dir);
    Ok(())
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
        "this provider speaks plugin protocol {PROTOCOL_VERSION} only, and the client offered {v:?}; use Terraform ≥ 1.0 or OpenTofu ≥ 1.6"
    )
}

/// A self-signed certificate for `localhost` (ECDSA P-256): PEM, key PEM and DER.
fn server_certificate() -> anyhow::Result<(String, String, Vec<u8>)> {
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
    Ok((cert.pem(), key.serialize_pem(), cert.der().to_vec()))
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
