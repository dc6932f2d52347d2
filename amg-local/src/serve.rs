//! The transport, on top of everything else: listeners (the control plane, and one per
//! workspace, opened for the control plane through [`crate::control::Host`]), optional TLS,
//! faults and the request counters behind `/_amg-local/stats`.
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

use crate::control::Host;
use crate::world::Shared;

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

/// Faults injected on the Grafana API (`--fault-rate`, `--drop-rate`, `--latency-ms`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Faults {
    pub fault_rate: f64,
    pub drop_rate: f64,
    pub latency_ms: u64,
}

/// What serves the emulator's listeners.
#[derive(Clone)]
pub struct Transport {
    pub world: Shared,
    /// The loopback address workspace listeners bind (port 0: any).
    pub ip: std::net::IpAddr,
    pub faults: Faults,
    /// Faults on the control plane's AWS operations (`--control-fault-rate`, `--control-drop-rate`).
    pub control_faults: Faults,
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Transport {
    /// Serves the control plane on `addr`; returns the bound address.
    pub async fn start_control_plane(&self, addr: SocketAddr) -> Result<SocketAddr, String> {
        let listener = TcpListener::bind(addr).await.map_err(|e| format!("binding {addr}: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        let host: Arc<dyn Host> = Arc::new(self.clone());
        let router = crate::control::router(self.world.clone(), host)
            .route_layer(axum::middleware::from_fn_with_state(self.clone(), control_faults))
            .route_layer(axum::middleware::from_fn_with_state(self.world.clone(), count));
        spawn_accept_loop(listener, router, None);
        Ok(local)
    }
}

impl Host for Transport {
    fn bind(&self) -> Result<(SocketAddr, crate::control::Serve), String> {
        let addr = SocketAddr::new(self.ip, 0);
        let std_listener = std::net::TcpListener::bind(addr).map_err(|e| format!("binding {addr}: {e}"))?;
        std_listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let local = std_listener.local_addr().map_err(|e| e.to_string())?;
        let listener = TcpListener::from_std(std_listener).map_err(|e| e.to_string())?;
        let t = self.clone();
        Ok((
            local,
            Box::new(move |ws_id: String| {
                let router = crate::grafana::router(t.world.clone(), ws_id)
                    .route_layer(axum::middleware::from_fn_with_state(t.clone(), faults))
                    .route_layer(axum::middleware::from_fn_with_state(t.world.clone(), count));
                spawn_accept_loop(listener, router, t.tls.clone());
            }),
        ))
    }
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

/// `--control-fault-rate` (AWS's 429 ThrottlingException with `Retry-After`, or 500
/// InternalServerException, before any effect) and `--control-drop-rate` (the write is applied,
/// then the connection closes unanswered), on the AWS operations only (not `/_amg-local/`).
async fn control_faults(State(t): State<Transport>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/_amg-local/") {
        return next.run(req).await;
    }
    inject(t.control_faults, "control", &t.world, req, next, |throttle| {
        if throttle { crate::control::throttled() } else { crate::control::internal_error() }
    })
    .await
}

/// `--latency-ms`, `--fault-rate` (429 or 503 before any effect) and `--drop-rate`
/// (the write is applied, then the connection closes unanswered).
async fn faults(State(t): State<Transport>, req: Request, next: Next) -> Response {
    inject(t.faults, "grafana", &t.world, req, next, |throttle| {
        if throttle {
            let mut r =
                (StatusCode::TOO_MANY_REQUESTS, axum::Json(serde_json::json!({"message": "Too Many Requests"})))
                    .into_response();
            r.headers_mut().insert("retry-after", HeaderValue::from_static("1"));
            r
        } else {
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"message": "Service Unavailable"})))
                .into_response()
        }
    })
    .await
}

/// The faults of one plane: latency, then an injected answer (`fault(throttle?)`) before any
/// effect, or a write applied and its connection closed unanswered.
async fn inject(
    a: Faults,
    plane: &'static str,
    world: &Shared,
    req: Request,
    next: Next,
    fault: impl FnOnce(bool) -> Response,
) -> Response {
    if a.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(a.latency_ms)).await;
    }
    if a.fault_rate > 0.0 && world.roll() < a.fault_rate {
        world.count_fault(plane, "injected");
        let mut resp = fault(world.roll() < 0.5);
        resp.headers_mut().insert("x-amg-local-fault", HeaderValue::from_static("injected"));
        return resp;
    }
    let is_write = req.method() != Method::GET && req.method() != Method::HEAD;
    if is_write && a.drop_rate > 0.0 && world.roll() < a.drop_rate {
        world.count_fault(plane, "dropped");
        let mut resp = next.run(req).await;
        resp.extensions_mut().insert(DropConnection);
        return resp;
    }
    next.run(req).await
}
