//! Listeners: the control plane and one per workspace; optional TLS; faults and request
//! counters around the Grafana API.
//!
//! Connections are served with hyper directly (not `axum::serve`) so that `--drop-rate` can
//! apply a write and then close the connection without answering, as a lost response does.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::Shared;
use crate::world::Tls;

/// Marker put on a response whose connection must be closed without sending it.
#[derive(Clone, Copy)]
pub struct DropConnection;

#[derive(Debug)]
struct Dropped;
impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by --drop-rate")
    }
}
impl std::error::Error for Dropped {}

pub async fn start_control_plane(world: Shared, addr: SocketAddr) -> Result<SocketAddr, String> {
    let listener = TcpListener::bind(addr).await.map_err(|e| format!("binding {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let router = crate::control::router(world.clone()).route_layer(axum::middleware::from_fn_with_state(world, count));
    spawn_accept_loop(listener, router, None);
    Ok(local)
}

/// Binds a new loopback port for a workspace's Grafana API (same IP as the control plane).
pub async fn bind_workspace_listener(world: &Shared) -> Result<TcpListener, String> {
    let addr = SocketAddr::new(world.args.listen.ip(), 0);
    TcpListener::bind(addr).await.map_err(|e| format!("binding {addr}: {e}"))
}

pub fn serve_workspace(world: Shared, ws_id: String, listener: TcpListener) {
    let router = crate::grafana::router(world.clone(), ws_id)
        .route_layer(axum::middleware::from_fn_with_state(world.clone(), faults))
        .route_layer(axum::middleware::from_fn_with_state(world.clone(), count));
    let tls = world.tls.as_ref().map(|t| t.server.clone());
    spawn_accept_loop(listener, router, tls);
}

fn spawn_accept_loop(listener: TcpListener, router: Router, tls: Option<Arc<rustls::ServerConfig>>) {
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let router = router.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let router = router.clone();
                    async move {
                        let resp = router.oneshot(req.map(axum::body::Body::new)).await.unwrap_or_else(|e| match e {});
                        if resp.extensions().get::<DropConnection>().is_some() { Err(Dropped) } else { Ok(resp) }
                    }
                });
                let http = hyper::server::conn::http1::Builder::new();
                match tls {
                    None => {
                        let _ = http.serve_connection(TokioIo::new(stream), svc).await;
                    }
                    Some(cfg) => {
                        if let Ok(s) = tokio_rustls::TlsAcceptor::from(cfg).accept(stream).await {
                            let _ = http.serve_connection(TokioIo::new(s), svc).await;
                        }
                    }
                }
            });
        }
    });
}

/// Counts every routed request by method, route template and status.
async fn count(State(world): State<Shared>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let route = req.extensions().get::<MatchedPath>().map(|m| template(m.as_str())).unwrap_or_else(|| "*".into());
    let resp = next.run(req).await;
    if route != "/_amg-local/stats" {
        world.record(&method, &route, resp.status().as_u16());
    }
    resp
}

/// `/api/dashboards/uid/{uid}` → `/api/dashboards/uid/:uid`.
fn template(axum_path: &str) -> String {
    axum_path
        .split('/')
        .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => format!(":{}", name.trim_start_matches('*')),
            None => s.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `--latency-ms`, `--fault-rate` (429 or 503 before any effect) and `--drop-rate`
/// (the write is applied, then the connection closes unanswered).
async fn faults(State(world): State<Shared>, req: Request, next: Next) -> Response {
    let a = &world.args;
    if a.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(a.latency_ms)).await;
    }
    if a.fault_rate > 0.0 && world.roll() < a.fault_rate {
        let mut resp = if world.roll() < 0.5 {
            let mut r =
                (StatusCode::TOO_MANY_REQUESTS, axum::Json(serde_json::json!({"message": "Too Many Requests"})))
                    .into_response();
            r.headers_mut().insert("retry-after", HeaderValue::from_static("1"));
            r
        } else {
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"message": "Service Unavailable"})))
                .into_response()
        };
        resp.headers_mut().insert("x-amg-local-fault", HeaderValue::from_static("injected"));
        return resp;
    }
    let is_write = req.method() != Method::GET && req.method() != Method::HEAD;
    if is_write && a.drop_rate > 0.0 && world.roll() < a.drop_rate {
        let mut resp = next.run(req).await;
        resp.extensions_mut().insert(DropConnection);
        return resp;
    }
    next.run(req).await
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
