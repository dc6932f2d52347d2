//! go-plugin's AutoMTLS, server side: Terraform hands us its client certificate in
//! `PLUGIN_CLIENT_CERT` and pins ours from the handshake line; we accept a TLS connection only
//! from a client presenting exactly that certificate (and proving it holds its key), as
//! go-plugin's own servers do with a pool of that one certificate. A pin rather than a chain
//! check: go-plugin's certificates are self-signed CA certificates used as leaves, which
//! WebPKI's verifier refuses (`CaUsedAsEndEntity`), with ECDSA P-521 keys, which ring cannot
//! verify (aws-lc-rs checks the client's signature).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use tokio::net::{UnixListener, UnixStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long a client may take over its TLS handshake before its connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The TLS acceptor for Terraform's client certificate (PEM, from `PLUGIN_CLIENT_CERT`) and
/// our server certificate and key (DER).
pub fn acceptor(client_pem: &str, cert: Vec<u8>, key: Vec<u8>) -> anyhow::Result<TlsAcceptor> {
    let client = CertificateDer::from_pem_slice(client_pem.as_bytes())
        .context("PLUGIN_CLIENT_CERT is not a PEM certificate")?
        .into_owned();
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    // The client's signature is checked with aws-lc-rs, which has ECDSA P-521 (go-plugin's
    // client key); ring, which serves the rest of the handshake, lacks it.
    let algorithms = rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms;
    let verifier = Arc::new(PinnedClient { cert: client, algorithms });
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS versions")?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![CertificateDer::from(cert)], PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)))
        .context("the server certificate")?;
    // gRPC over HTTP/2: Go's gRPC client requires ALPN to say so.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// The TLS connections on `listener`, each handshake in its own task (a slow or refused client
/// holds up no other); a client refused by the handshake is logged and dropped.
pub fn incoming(
    listener: UnixListener,
    acceptor: TlsAcceptor,
) -> tokio_stream::wrappers::ReceiverStream<std::io::Result<TlsStream<UnixStream>>> {
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((s, _)) => s,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            };
            let (acceptor, tx) = (acceptor.clone(), tx.clone());
            tokio::spawn(async move {
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => {
                        let _ = tx.send(Ok(tls)).await;
                    }
                    Ok(Err(e)) => tracing::warn!(error = %e, "refused a connection to the plugin (TLS handshake)"),
                    Err(_) => tracing::warn!("refused a connection to the plugin (no TLS handshake in time)"),
                }
            });
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

/// Accepts exactly one client certificate.
#[derive(Debug)]
struct PinnedClient {
    cert: CertificateDer<'static>,
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClient {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.cert.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
