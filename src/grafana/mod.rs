//! A client for the Grafana HTTP API of one Grafana (an AMG workspace or any other).
//!
//! It knows nothing of Terraform: it speaks Grafana's JSON and returns typed errors. One
//! `reqwest` client with rustls is shared by every request; it verifies Grafana's certificate
//! unless the configuration turns that off (`insecure_skip_verify`), follows no redirect (a
//! redirect would carry the token, custom headers and a data source's secrets elsewhere), and
//! reads at most [`MAX_ANSWER_BYTES`] of an answer and [`MAX_LISTED`] items of a paged list.
//! Requests that failed before Grafana acted on them (429, 502–504, connection refused) are
//! retried a bounded number of times; see [`Client::send`].

mod alerting;
mod config;
mod contact_points;
mod dashboards;
mod datasources;
mod error;
mod folders;
mod limits;
mod listing;
mod permissions;
mod rule_groups;
mod teams;
mod users;

use std::sync::Arc;
use std::time::Duration;

use backon::Retryable;
use reqwest::Method;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

pub use alerting::{MessageTemplate, MuteTiming, TimeInterval, TimeRange};
pub use config::{Auth, Config, Secret, SourceError, Timeouts, TokenSource};
pub use contact_points::Integration;
pub use dashboards::{Dashboard, SaveDashboard, Saved};
pub use datasources::{DataSource, DataSourceRequest, DataSourceSummary};
pub use error::Error;
pub use folders::{Folder, FolderRef};
pub use limits::{MAX_DASHBOARD_TITLE, MAX_DATASOURCE_NAME, MAX_DATASOURCE_URL, MAX_VERSION_MESSAGE, check_uid};
pub use listing::Search;
pub use permissions::{PermissionItem, PermissionsOf, default_permissions, permission_level, permission_name};
pub use rule_groups::{AlertQuery, AlertRule, NotificationSettings, QueryRange, Record, RuleGroup};
pub use teams::{TeamMember, TeamPreferences};
pub use users::OrgUser;

/// The pauses between retries: `retry_wait` when set (the official provider's fixed wait),
/// else exponential from 0.2 s doubling to at most 5 s with full jitter (each pause uniform
/// between 0 and its cap, so clients that failed together do not retry together).
fn backoff(fixed: Option<Duration>, retries: usize) -> impl Iterator<Item = Duration> + Send + Sync + Unpin {
    use ring::rand::SecureRandom;
    let rng = ring::rand::SystemRandom::new();
    // Lazy: one pause at a time, however many retries are allowed.
    (0..retries).map(move |i| match fixed {
        Some(w) => w,
        None => {
            let cap = Duration::from_millis(200).saturating_mul(1u32 << i.min(16)).min(Duration::from_secs(5));
            let mut b = [0u8; 4];
            rng.fill(&mut b).expect("the system's random source");
            cap.mul_f64(f64::from(u32::from_le_bytes(b)) / f64::from(u32::MAX))
        }
    })
}

/// Whether a status matches a `retry_status_codes` pattern (`429`, `5xx`).
fn status_matches(pattern: &str, status: u16) -> bool {
    let s = status.to_string();
    pattern.len() == 3 && pattern.chars().zip(s.chars()).all(|(p, c)| p == 'x' || p == 'X' || p == c)
}

#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    /// The base URL with a trailing slash: given, or learnt from the token source.
    base: Arc<tokio::sync::OnceCell<url::Url>>,
    /// A given URL that must be the token source's own before it is used.
    unchecked: Option<Arc<url::Url>>,
    auth: Auth,
    max_retries: usize,
    retry_wait: Option<Duration>,
    retry_statuses: Arc<[String]>,
    timeouts: Timeouts,
    cancel: CancellationToken,
    /// The Grafana version, asked once per provider process.
    version: Arc<tokio::sync::OnceCell<String>>,
    /// Whether Grafana serves the role-based permission API, asked once per provider process.
    role_based: Arc<tokio::sync::OnceCell<bool>>,
}

impl Client {
    /// Builds the client; `cancel` stops every request in flight when Terraform stops the provider.
    pub fn new(cfg: Config, cancel: CancellationToken) -> Result<Client, Error> {
        let mut b = reqwest::Client::builder()
            .use_rustls_tls()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(format!("terraform-provider-grafana/{}", crate::VERSION))
            .connect_timeout(Duration::from_secs(10));
        if let Some(pem) = &cfg.ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| Error::Config { setting: "ca_cert", message: format!("ca_cert is not valid PEM: {e}") })?;
            if certs.is_empty() {
                return Err(Error::Config { setting: "ca_cert", message: "ca_cert holds no PEM certificate".into() });
            }
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        if let Some(pem) = &cfg.identity_pem {
            let id = reqwest::Identity::from_pem(pem).map_err(|e| Error::Config {
                setting: "tls_key",
                message: format!("tls_cert and tls_key are not a valid PEM certificate and key: {e}"),
            })?;
            b = b.identity(id);
        }
        if cfg.insecure_skip_verify {
            b = b.danger_accept_invalid_certs(true);
        }
        if !cfg.headers.is_empty() {
            let mut h = reqwest::header::HeaderMap::new();
            for (name, value) in &cfg.headers {
                let n = reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| Error::Config {
                    setting: "http_headers",
                    message: format!("http_headers: {name:?} is not a valid header name"),
                })?;
                let mut v = reqwest::header::HeaderValue::from_str(value.expose()).map_err(|_| Error::Config {
                    setting: "http_headers",
                    message: format!("http_headers: the value of {name:?} is not a valid header value"),
                })?;
                v.set_sensitive(true);
                h.insert(n, v);
            }
            b = b.default_headers(h);
        }
        let http = b
            .build()
            .map_err(|e| Error::Config { setting: "url", message: format!("cannot build the HTTP client: {e}") })?;
        if cfg.url.is_none() && !matches!(cfg.auth, Auth::Minted(_)) {
            return Err(Error::Config { setting: "url", message: "no Grafana URL".into() });
        }
        let check = cfg.url_must_be_the_sources && matches!(cfg.auth, Auth::Minted(_));
        let (given, unchecked) =
            if check { (None, cfg.url.map(|u| Arc::new(with_slash(u)))) } else { (cfg.url.map(with_slash), None) };
        Ok(Client {
            http,
            base: Arc::new(tokio::sync::OnceCell::new_with(given)),
            unchecked,
            auth: cfg.auth,
            max_retries: cfg.max_retries,
            retry_wait: cfg.retry_wait,
            retry_statuses: cfg.retry_statuses.into(),
            timeouts: cfg.timeouts,
            cancel,
            version: Default::default(),
            role_based: Default::default(),
        })
    }

    /// The base URL, without a trailing slash, for building links such as `url` attributes.
    /// Known once a request has been made (a minted token's workspace tells it); empty before.
    pub fn base_url(&self) -> String {
        self.base.get().map(|b| b.as_str().trim_end_matches('/').to_string()).unwrap_or_default()
    }

    async fn base(&self) -> Result<&url::Url, Error> {
        self.base
            .get_or_try_init(|| async {
                let Auth::Minted(source) = &self.auth else {
                    return Err(Error::Config { setting: "url", message: "no Grafana URL".into() });
                };
                let own = source.url().await.map(with_slash).map_err(Error::Credentials)?;
                match &self.unchecked {
                    None => Ok(own),
                    Some(given) if same_origin(given, &own) => Ok(given.as_ref().clone()),
                    Some(given) => Err(Error::Credentials(SourceError::at("url", format!(
                        "`url` ({}) is not the workspace's own endpoint ({}), and the minted token is an admin token: \
                            remove `url` to use the workspace's endpoint, or, if {} reaches this workspace (a proxy, a \
                            private DNS name), set `allow_url_outside_workspace = true`. No token was minted.",
                        origin(given),
                        origin(&own),
                        origin(given)
                    )))),
                }
            })
            .await
    }

    /// The token for the next request, minting one if the source has none yet.
    async fn token(&self) -> Result<Option<Secret>, Error> {
        match &self.auth {
            Auth::None => Ok(None),
            Auth::Token(t) => Ok(Some(t.clone())),
            Auth::Minted(source) => source.token().await.map(Some).map_err(Error::Credentials),
        }
    }

    /// The Grafana version, e.g. `"12.4.0"`, from `buildInfo.version` of
    /// `GET /api/frontend/settings` the first time it is asked. Not `/api/health`: AMG refuses
    /// that route to every caller (`400 Bad Request: Not allowed.`).
    pub async fn version(&self) -> Result<String, Error> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Settings {
            build_info: Option<BuildInfo>,
        }
        #[derive(serde::Deserialize)]
        struct BuildInfo {
            version: Option<String>,
        }
        const PATH: &str = "api/frontend/settings";
        let v = self
            .version
            .get_or_try_init(|| async {
                let sent = self.send(Method::GET, PATH, None).await;
                let url = format!("{}/{PATH}", self.base_url());
                let s: Settings = match sent {
                    Ok(s) => s,
                    // No token or workspace: that message alone says what to do.
                    Err(e @ Error::Credentials(_)) => return Err(e),
                    Err(e) => return Err(Error::Version { url, reason: e.to_string(), source: Box::new(e) }),
                };
                match s.build_info.and_then(|b| b.version).filter(|v| !v.trim().is_empty()) {
                    Some(v) => Ok(v),
                    None => Err(Error::Version {
                        reason: "the answer has no `buildInfo.version` (is the version hidden from this caller?)"
                            .into(),
                        source: Box::new(Error::Decode { what: format!("GET {url}"), reason: "no version".into() }),
                        url,
                    }),
                }
            })
            .await?;
        Ok(v.clone())
    }

    /// Whether this Grafana has nested folders (Grafana 11 and later).
    pub async fn has_nested_folders(&self) -> Result<bool, Error> {
        self.version_at_least(11, 0).await
    }

    /// Whether this Grafana is `major.minor` or later.
    pub async fn version_at_least(&self, major: u32, minor: u32) -> Result<bool, Error> {
        let v = self.version().await?;
        let mut parts = v.split(['.', '-']).map(|p| p.parse::<u32>().unwrap_or(0));
        Ok((parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (major, minor))
    }

    /// Sends one request and decodes a JSON answer.
    ///
    /// Each attempt waits at most `timeouts.attempt` for an answer, and a call with its
    /// retries at most `timeouts.call`. What is retried depends on whether repeating the
    /// request is safe:
    /// - any request: statuses that mean "not acted on" (429, 503) and failures to connect;
    /// - reads (GET) also: 502, 504, timeouts and connections lost mid-answer.
    ///
    /// A write that may have been acted on is never repeated: its error says so
    /// ([`Error::may_have_acted`]), and the caller reads back what Grafana holds.
    ///
    /// With a minted token, a 401 (expired or revoked) gets one new token and one retry.
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<T, Error> {
        self.send_with(method, path, body, &[]).await
    }

    /// [`Client::send`] with extra request headers (`X-Disable-Provenance`).
    pub(crate) async fn send_with<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        headers: &[(&'static str, &'static str)],
    ) -> Result<T, Error> {
        let bytes = body.map(|b| encode(path, b)).transpose()?;
        self.send_body(method, path, bytes, headers).await
    }

    /// [`Client::send`] with any serialisable body, written out once for every attempt.
    pub(crate) async fn send_json<T: DeserializeOwned, B: serde::Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<T, Error> {
        self.send_body(method, path, Some(encode(path, body)?), &[]).await
    }

    async fn send_body<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<bytes::Bytes>,
        headers: &[(&'static str, &'static str)],
    ) -> Result<T, Error> {
        let body = body.as_ref();
        let ready = async {
            let base = self.base().await?;
            let url = base.join(path).map_err(|e| Error::Encode(format!("bad path {path}: {e}")))?;
            Ok::<_, Error>((url, self.token().await?))
        };
        let (url, mut token) = tokio::select! {
            r = ready => r?,
            _ = self.cancel.cancelled() => return Err(Error::Stopped),
        };
        let first = self.send_as(&method, &url, body, headers, token.as_ref()).await;
        let Auth::Minted(source) = &self.auth else { return first };
        let out = match first {
            Err(Error::Api { status: 401, .. }) => {
                let rejected = token.take().expect("a minted token was sent");
                let renewed = tokio::select! {
                    r = source.renew(&rejected) => r.map_err(Error::Credentials)?,
                    _ = self.cancel.cancelled() => return Err(Error::Stopped),
                };
                self.send_as(&method, &url, body, headers, Some(&renewed)).await
            }
            r => r,
        };
        // Grafana refused a minted token: say which role it had.
        out.map_err(|e| match e {
            Error::Api { status, message, reason, retry_after, .. } => {
                Error::Api { status, message, reason, retry_after, role: source.role() }
            }
            e => e,
        })
    }

    /// [`Client::send`] with one token, under the retry policy.
    async fn send_as<T: DeserializeOwned>(
        &self,
        method: &Method,
        url: &url::Url,
        body: Option<&bytes::Bytes>,
        headers: &[(&'static str, &'static str)],
        token: Option<&Secret>,
    ) -> Result<T, Error> {
        let (method, url) = (method.clone(), url.clone());
        let read = method == Method::GET || method == Method::HEAD;
        let attempts = std::sync::atomic::AtomicU32::new(0);
        let attempt = || async {
            attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut req = self
                .http
                .request(method.clone(), url.clone())
                .header("Accept", "application/json")
                .timeout(self.timeouts.attempt);
            if let Some(t) = token {
                req = req.bearer_auth(t.expose());
            }
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            if let Some(b) = body {
                req = req.header(reqwest::header::CONTENT_TYPE, "application/json").body(b.clone());
            }
            tracing::debug!(method = %method, path = %url.path(), "grafana request");
            let resp = req.send().await.map_err(|e| Error::transport(&method, &url, e, self.timeouts.attempt))?;
            let status = resp.status();
            let retry_after =
                resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
            if status.is_redirection() {
                return Err(Error::redirect(&method, &url, status, resp.headers()));
            }
            let bytes = read_capped(resp, &method, &url, self.timeouts.attempt).await?;
            tracing::debug!(method = %method, path = %url.path(), status = status.as_u16(), "grafana response");
            if status.is_success() {
                // 204 No Content (and any empty answer) reads as `null`.
                let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
                return serde_json::from_slice(bytes)
                    .map_err(|e| Error::Decode { what: format!("{method} {}", url.path()), reason: e.to_string() });
            }
            Err(Error::from_response(status, &bytes, retry_after))
        };
        let extra = self.retry_statuses.clone();
        let run = attempt
            .retry(backoff(self.retry_wait, self.max_retries))
            .when(move |e: &Error| {
                e.is_retryable(read)
                    || (read
                        && matches!(e, Error::Api { status, .. }
                            // A 4xx other than 429 means the request itself is refused: never retried.
                            if !(400..500).contains(status) && extra.iter().any(|p| status_matches(p, *status))))
            })
            // Grafana's `Retry-After` sets the pause, never the number of attempts: when the
            // policy says stop (`d` is None), it stays stopped.
            .adjust(|e, d| match (e, d) {
                (Error::Api { retry_after: Some(s), .. }, Some(_)) => Some(Duration::from_secs((*s).min(10))),
                _ => d,
            })
            .notify(|e, d| tracing::warn!(error = %e, delay_ms = d.as_millis() as u64, "retrying grafana request"));
        let outcome = tokio::select! {
            r = tokio::time::timeout(self.timeouts.call, run) => r,
            _ = self.cancel.cancelled() => return Err(Error::Stopped),
        };
        let tried = attempts.load(std::sync::atomic::Ordering::Relaxed);
        match outcome {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(e.after_attempts(tried, read)),
            Err(_) => Err(Error::Transport {
                method: method.to_string(),
                path: url.path().to_string(),
                reason: format!("no answer within {} in all", secs(self.timeouts.call)),
                connect: false,
                tls: false,
                timed_out: true,
                note: attempt_note(tried, read),
            }),
        }
    }
}

/// The most of one answer the client reads: far above any Grafana answer it asks for (a search
/// page of 5,000 hits, a dashboard of a few MB), far below what would exhaust the machine.
pub const MAX_ANSWER_BYTES: usize = 64 << 20;

/// The most items a paged list may hold before the client stops paging.
pub const MAX_LISTED: usize = 100_000;

/// Reads an answer's body, refusing one larger than [`MAX_ANSWER_BYTES`]: by its
/// `Content-Length` before reading any of it, else while reading.
async fn read_capped(
    mut resp: reqwest::Response,
    method: &Method,
    url: &url::Url,
    attempt: Duration,
) -> Result<bytes::Bytes, Error> {
    let too_large =
        || Error::TooLarge { method: method.to_string(), path: url.path().to_string(), limit: MAX_ANSWER_BYTES };
    if resp.content_length().is_some_and(|n| n > MAX_ANSWER_BYTES as u64) {
        return Err(too_large());
    }
    let mut out = bytes::BytesMut::with_capacity(resp.content_length().unwrap_or(0) as usize);
    while let Some(chunk) = resp.chunk().await.map_err(|e| Error::transport(method, url, e, attempt))? {
        if out.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(too_large());
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out.freeze())
}

/// A request body, written out once for every attempt.
fn encode<B: serde::Serialize + ?Sized>(path: &str, body: &B) -> Result<bytes::Bytes, Error> {
    let v = serde_json::to_vec(body).map_err(|e| Error::Encode(format!("request body for {path}: {e}")))?;
    Ok(bytes::Bytes::from(v))
}

/// Scheme, host and port: where a request goes.
fn origin(u: &url::Url) -> String {
    u.origin().ascii_serialization()
}

fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    a.origin() == b.origin()
}

fn with_slash(mut u: url::Url) -> url::Url {
    if !u.path().ends_with('/') {
        let p = format!("{}/", u.path());
        u.set_path(&p);
    }
    u
}

/// A duration as people read it in a message: `30 s`, `0.3 s`.
fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 { format!("{s:.0} s") } else { format!("{s:.1} s") }
}

/// What the retry policy did with a failed call, for the error message.
fn attempt_note(tried: u32, read: bool) -> String {
    match (tried, read) {
        (0 | 1, true) => String::new(),
        (0 | 1, false) => " (not repeated: Grafana may have acted on it)".to_string(),
        (n, _) => format!(" (after {n} attempts)"),
    }
}

/// Percent-encodes one path segment: everything but letters, digits and `-._~` (a name may
/// hold spaces or slashes; `+` would be taken literally in a path).
fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use amg_local::harness::Loopback;

    use super::*;

    fn client(url: &str, attempt_ms: u64, call_ms: u64) -> Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut cfg = Config::new(url.parse().unwrap(), Some(Secret::new("glsa_secret_token_00000000")));
        cfg.timeouts = Timeouts { attempt: Duration::from_millis(attempt_ms), call: Duration::from_millis(call_ms) };
        Client::new(cfg, CancellationToken::new()).unwrap()
    }

    /// A loopback server that writes `reply` to each request; with `None` it never answers.
    fn local_server(reply: Option<&'static str>) -> Loopback {
        Loopback::start(move |_, s| match reply {
            None => Loopback::never(s),
            Some(r) => {
                let _ = s.write_all(r.as_bytes());
            }
        })
    }

    #[tokio::test]
    async fn a_server_that_never_answers_costs_one_attempt_for_a_write_and_a_bounded_time_for_a_read() {
        let server = local_server(None);
        let c = client(&server.url, 300, 2_000);
        let started = std::time::Instant::now();
        let e = c.create_folder(Some("tfx"), "T", None).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        assert_eq!(server.connections(), 1, "a write is never repeated after a timeout");
        assert!(matches!(e, Error::Transport { timed_out: true, .. }), "{e:?}");
        assert!(e.may_have_acted());
        let text = e.to_string();
        assert!(text.contains("no answer within 0.3 s") && text.contains("not repeated"), "{text}");

        let started = std::time::Instant::now();
        let e = c.get_folder("tfx").await.unwrap_err();
        let took = started.elapsed();
        assert!(took < Duration::from_secs(4), "the call budget bounds a read: {took:?}");
        assert!(server.connections() >= 3, "a read is retried after a timeout");
        assert!(e.to_string().contains("no answer"), "{e}");
        assert!(!format!("{e:?}").contains("glsa_secret"), "the token leaked: {e:?}");
    }

    #[tokio::test]
    async fn https_to_a_plain_http_server_says_to_check_the_scheme_and_is_not_retried() {
        // The server reads nothing (a TLS handshake is not HTTP) and answers in plain HTTP.
        let server = Loopback::raw(|s| {
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        });
        let c = client(&server.url.replace("http://", "https://"), 2_000, 5_000);
        let e = c.get_folder("x").await.unwrap_err();
        assert!(e.to_string().contains("the `url` must start with http://"), "{e}");
        assert!(matches!(e, Error::Transport { tls: true, .. }), "{e:?}");
        assert!(!e.may_have_acted(), "nothing was sent");
        assert_eq!(server.connections(), 1, "a TLS mismatch is not retried");
    }

    #[tokio::test]
    async fn http_headers_go_with_every_request() {
        let server = Loopback::start(|_, s| Loopback::json(s, "200 OK", "{}"));
        let mut cfg = Config::new(server.url.parse().unwrap(), None);
        cfg.headers = vec![("X-Proxy-Token".into(), Secret::new("proxy-secret"))];
        let c = Client::new(cfg, CancellationToken::new()).unwrap();
        let _: serde_json::Value = c.send(Method::GET, "api/x", None).await.unwrap();
        let req = server.seen()[0].head.to_lowercase();
        assert!(req.contains("x-proxy-token: proxy-secret"), "{req}");
        assert!(!format!("{c:?}").contains("proxy-secret"), "a header value in Debug output");
    }

    /// A server that answers every request 429 with `Retry-After: 1`.
    fn throttling_server() -> Loopback {
        local_server(Some(
            "HTTP/1.1 429 Too Many Requests\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: \
                31\r\n\r\n{\"message\":\"Too Many Requests\"}",
        ))
    }

    #[tokio::test]
    async fn regression_retry_after_kept_retrying_past_the_retry_limit() {
        // `Retry-After` once turned the policy's "stop" into another pause, so `retries = 0`
        // still retried, and a throttling Grafana was retried until the call budget ran out.
        let server = throttling_server();
        let mut cfg = Config::new(server.url.parse().unwrap(), None);
        cfg.max_retries = 0;
        let c = Client::new(cfg, CancellationToken::new()).unwrap();
        assert!(c.get_folder("x").await.is_err());
        assert_eq!(server.seen().len(), 1, "retries = 0 sends once");
        let server = throttling_server();
        let mut cfg = Config::new(server.url.parse().unwrap(), None);
        cfg.max_retries = 2;
        let c = Client::new(cfg, CancellationToken::new()).unwrap();
        assert!(c.get_folder("x").await.is_err());
        assert_eq!(server.seen().len(), 3, "two retries, honouring Retry-After");
    }

    /// Mints `tok-1`, `tok-2`, … and counts its calls.
    #[derive(Debug, Default)]
    struct Counter {
        minted: AtomicUsize,
    }

    #[async_trait::async_trait]
    impl TokenSource for Counter {
        async fn url(&self) -> Result<url::Url, SourceError> {
            Err(SourceError::at("url", "unused"))
        }
        async fn token(&self) -> Result<Secret, SourceError> {
            Ok(Secret::new(&format!("tok-{}", self.minted.load(Ordering::SeqCst).max(1))))
        }
        async fn renew(&self, _rejected: &Secret) -> Result<Secret, SourceError> {
            let n = self.minted.fetch_add(1, Ordering::SeqCst) + 2;
            Ok(Secret::new(&format!("tok-{n}")))
        }
    }

    /// A server that answers 401 unless the bearer token is `accepted`; counts requests.
    fn token_server(accepted: &'static str) -> Loopback {
        Loopback::start(move |req, s| {
            if req.head.to_lowercase().contains(&format!("authorization: bearer {accepted}")) {
                Loopback::json(s, "200 OK", "{}");
            } else {
                Loopback::json(s, "401 Unauthorized", r#"{"message":"Invalid API key"}"#);
            }
        })
    }

    #[tokio::test]
    async fn a_minted_token_refused_with_401_is_renewed_once_and_the_request_sent_again_never_more() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let server = token_server("tok-2");
        let source = Arc::new(Counter::default());
        let c = Client::new(
            Config::with_auth(Some(server.url.parse().unwrap()), Auth::Minted(source.clone())),
            CancellationToken::new(),
        )
        .unwrap();
        let _: serde_json::Value = c.send(Method::POST, "api/folders", Some(&serde_json::json!({}))).await.unwrap();
        assert_eq!(
            (server.seen().len(), source.minted.load(Ordering::SeqCst)),
            (2, 1),
            "one 401, one renewal, one retry"
        );

        // A token that is refused again after renewal: an error, not a loop.
        let server = token_server("never");
        let source = Arc::new(Counter::default());
        let c = Client::new(
            Config::with_auth(Some(server.url.parse().unwrap()), Auth::Minted(source.clone())),
            CancellationToken::new(),
        )
        .unwrap();
        let e = c.get_folder("x").await.unwrap_err();
        assert!(matches!(e, Error::Api { status: 401, .. }), "{e:?}");
        assert_eq!((server.seen().len(), source.minted.load(Ordering::SeqCst)), (2, 1));
    }

    /// Fuzz target `grafana_answers`: every read the provider makes, answered with any status
    /// and any bytes, is an error or a value, never a panic.
    #[test]
    fn fuzz_grafana_answers() {
        use proptest::prelude::*;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let answer: Arc<std::sync::Mutex<Vec<u8>>> = Arc::default();
        let reply = answer.clone();
        let server = Loopback::start(move |_, s| {
            let _ = s.write_all(&reply.lock().unwrap());
        });
        let mut cfg = Config::new(server.url.parse().unwrap(), None);
        cfg.max_retries = 0;
        cfg.timeouts = Timeouts { attempt: Duration::from_secs(2), call: Duration::from_secs(2) };
        let body = crate::fuzz::bytes_like(crate::fuzz::json().prop_map(|j| j.to_string().into_bytes()));
        crate::fuzz::fuzz((100u16..600, body), |(status, body)| {
            let mut reply =
                format!("HTTP/1.1 {status} X\r\nconnection: close\r\ncontent-length: {}\r\n\r\n", body.len())
                    .into_bytes();
            reply.extend(&body);
            *answer.lock().unwrap() = reply;
            let c = Client::new(cfg.clone(), CancellationToken::new()).unwrap();
            rt.block_on(async {
                let _ = c.version().await;
                let _ = c.get_dashboard("u").await;
                let _ = c.get_folder("u").await;
                let _ = c.get_datasource("u").await;
                let _ = c.search_dashboards(&[], &[]).await;
                let _ = c.dashboard_uid_by_id(1).await;
            });
        });
    }

    #[test]
    fn retry_pauses_are_full_jitter_under_a_doubling_cap_or_the_fixed_wait() {
        let d: Vec<Duration> = backoff(None, 8).collect();
        assert_eq!(d.len(), 8);
        for (i, p) in d.iter().enumerate() {
            let cap = Duration::from_millis(200 * (1 << i)).min(Duration::from_secs(5));
            assert!(*p <= cap, "pause {i}: {p:?} over {cap:?}");
        }
        assert!(d.iter().map(|p| p.as_millis()).collect::<std::collections::BTreeSet<_>>().len() > 1, "{d:?}");
        assert_eq!(backoff(Some(Duration::from_secs(3)), 2).collect::<Vec<_>>(), vec![Duration::from_secs(3); 2]);
        assert_eq!(backoff(None, 0).count(), 0);
    }

    #[test]
    fn retry_status_patterns() {
        assert!(status_matches("5xx", 502) && status_matches("429", 429) && status_matches("4x1", 401));
        assert!(!status_matches("5xx", 429) && !status_matches("42", 42) && !status_matches("401", 404));
    }

    #[test]
    fn retry_classification() {
        let api =
            |status: u16| Error::Api { status, message: String::new(), reason: None, retry_after: None, role: None };
        let transport = |connect: bool, tls: bool| Error::Transport {
            method: "POST".into(),
            path: "/".into(),
            reason: String::new(),
            connect,
            tls,
            timed_out: false,
            note: String::new(),
        };
        // (error, retried for a read, retried for a write, may have acted)
        let table = [
            (api(429), true, true, false),
            (api(503), true, true, false),
            (api(502), true, false, true),
            (api(504), true, false, true),
            (api(500), false, false, false),
            (api(404), false, false, false),
            (api(409), false, false, false),
            (api(412), false, false, false),
            (transport(true, false), true, true, false),
            (transport(true, true), false, false, false),
            (transport(false, false), true, false, true),
            (Error::Stopped, false, false, true),
        ];
        for (e, read, write, acted) in table {
            assert_eq!(
                (e.is_retryable(true), e.is_retryable(false), e.may_have_acted()),
                (read, write, acted),
                "{e:?}"
            );
        }
        let wrapped = Error::Version { url: "u".into(), reason: "r".into(), source: Box::new(api(401)) };
        assert!(matches!(wrapped.root(), Error::Api { status: 401, .. }));
    }
}
