//! `--tls`: a certificate authority made at start (its PEM written to a file for clients) and a
//! server certificate it signed for 127.0.0.1 and localhost. The only file I/O of the emulator.

use std::path::PathBuf;
use std::sync::Arc;

pub struct Tls {
    /// The CA's PEM, for the ready line's `ca_cert_file`.
    pub ca_file: PathBuf,
    pub server: Arc<rustls::ServerConfig>,
}

/// A CA made at start (its PEM written to a file) and a server certificate it signed for
/// 127.0.0.1 and localhost.
pub fn make_tls() -> Result<Tls, String> {
    let e = |e: rcgen::Error| e.to_string();
    let ca_key = rcgen::KeyPair::generate().map_err(e)?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "amg-local CA");
    ca_params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
    let ca = ca_params.self_signed(&ca_key).map_err(e)?;
    let issuer = rcgen::Issuer::new(ca_params, ca_key);

    let key = rcgen::KeyPair::generate().map_err(e)?;
    let mut params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).map_err(e)?;
    params.distinguished_name.push(rcgen::DnType::CommonName, "amg-local");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &issuer).map_err(e)?;

    let dir = std::env::temp_dir().join(format!("amg-local-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).map_err(|e| format!("writing {}: {e}", ca_file.display()))?;

    let chain = vec![cert.der().clone(), ca.der().clone()];
    let key_der = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).map_err(|e| e.to_string())?;
    let mut server = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(|e| e.to_string())?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls { ca_file, server: Arc::new(server) })
}
