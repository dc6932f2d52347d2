//! Errors of the Grafana client. Callers branch on them (404 means gone), so they are typed.

use reqwest::{Method, StatusCode};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Grafana answered with a non-success status; `message` is Grafana's own `message`.
    #[error("Grafana answered {status}: {message}")]
    Api {
        status: u16,
        message: String,
        /// Grafana's `status` word for typed errors (`version-mismatch`, `name-exists`, …).
        reason: Option<String>,
        retry_after: Option<u64>,
        /// With a minted token (AMG-native auth): that token's Grafana role, for the message.
        role: Option<String>,
    },
    /// The request did not get an answer (connection refused, reset, timed out, TLS failure).
    /// `connect`: it never reached Grafana (refused, or no TLS session: `tls`, which no retry
    /// mends); `note` says what the retry policy did.
    #[error("{method} {path} failed: {reason}{note}")]
    Transport { method: String, path: String, reason: String, connect: bool, tls: bool, timed_out: bool, note: String },
    /// Grafana answered success with a body we could not read.
    #[error("unexpected answer to {what}: {reason}")]
    Decode { what: String, reason: String },
    /// The client could not be built from its configuration: `setting` names the provider
    /// argument at fault (`ca_cert`, `tls_key`, `http_headers`, `url`), for the diagnostic's path.
    #[error("{message}")]
    Config { setting: &'static str, message: String },
    /// A request body could not be encoded (a bug: every body is ours).
    #[error("could not encode the request: {0}")]
    Encode(String),
    /// The Grafana version could not be learnt from `url` (`GET /api/frontend/settings`);
    /// `source` is why, and decides whether it is worth retrying.
    #[error("could not learn the Grafana version from GET {url}: {reason}")]
    Version { url: String, reason: String, source: Box<Error> },
    /// No token (or URL) could be had from the token source (AMG-native auth): the message
    /// says why and what to do, and names the provider argument to look at.
    #[error("{0}")]
    Credentials(super::SourceError),
    /// Terraform stopped the provider while the request was in flight.
    #[error("stopped by Terraform")]
    Stopped,
    /// The server answered with a redirect, which the client never follows: it would carry the
    /// token, custom headers and a data source's secrets to wherever it points.
    #[error(
        "{method} {path} was answered {status} with a redirect to {to}; the provider follows no redirect, so that \
            credentials and secrets go nowhere else: set `url` to the address Grafana answers on itself"
    )]
    Redirect { method: String, path: String, status: u16, to: String },
    /// The answer was larger than the client reads.
    #[error(
        "the answer to {method} {path} is too large (more than {} MiB, far more than any Grafana answer the provider \
            asks for): is `url` a Grafana?",
        limit >> 20
    )]
    TooLarge { method: String, path: String, limit: usize },
    /// A dashboard was asked for by a uid that names a folder (Grafana 10.4 answers the folder).
    #[error("`{uid}` is a folder's uid, not a dashboard's")]
    IsFolder { uid: String },
    /// A paged list did not end.
    #[error("listing {what} did not end: {reason}; stopped")]
    Paging { what: String, reason: String },
}

impl Error {
    pub(super) fn from_response(status: StatusCode, body: &[u8], retry_after: Option<u64>) -> Error {
        #[derive(serde::Deserialize)]
        struct Body {
            message: Option<String>,
            status: Option<String>,
        }
        let parsed: Option<Body> = serde_json::from_slice(body).ok();
        let message = parsed
            .as_ref()
            .and_then(|b| b.message.clone())
            .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).trim().to_string());
        let message = if message.is_empty() { status.canonical_reason().unwrap_or("").to_string() } else { message };
        Error::Api { status: status.as_u16(), message, reason: parsed.and_then(|b| b.status), retry_after, role: None }
    }

    /// A redirect, naming only where it points (scheme, host and port: no path or query, which
    /// may hold anything).
    pub(super) fn redirect(
        method: &Method,
        url: &url::Url,
        status: StatusCode,
        headers: &reqwest::header::HeaderMap,
    ) -> Error {
        let to = headers
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| url.join(l).ok())
            .map(|u| {
                format!(
                    "{}://{}",
                    u.scheme(),
                    u.host_str().map_or(String::new(), |h| match u.port() {
                        Some(p) => format!("{h}:{p}"),
                        None => h.to_string(),
                    })
                )
            })
            .unwrap_or_else(|| "an unknown place".to_string());
        Error::Redirect { method: method.to_string(), path: url.path().to_string(), status: status.as_u16(), to }
    }

    pub(super) fn transport(method: &Method, url: &url::Url, e: reqwest::Error, attempt: std::time::Duration) -> Error {
        // reqwest's Display includes the URL; we keep only the path so no credentials in a URL leak.
        // Every cause in the chain: the useful part ("invalid peer certificate: UnknownIssuer")
        // is usually the innermost one.
        let mut parts = vec![e.to_string()];
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            let text = s.to_string();
            if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
                parts.push(text);
            }
            src = s.source();
        }
        let mut reason = parts.join(": ").replace(url.as_str(), url.path());
        if e.is_timeout() {
            reason = format!("no answer within {} (timed out)", super::secs(attempt));
        }
        let lower = reason.to_lowercase();
        // A certificate that fails verification, or a server that does not speak TLS, will
        // fail again: not worth a retry, and nothing was sent.
        let mut tls = lower.contains("certificate");
        if url.scheme() == "https"
            && ["invalidcontenttype", "corrupt message", "wrong version number", "invalid tls"]
                .iter()
                .any(|m| lower.contains(m))
        {
            tls = true;
            reason.push_str(
                " (this server does not seem to speak TLS: if it serves plain HTTP, the `url` must start with http://)",
            );
        } else if url.scheme() == "http"
            && ["invalid http version", "received http/0.9"].iter().any(|m| lower.contains(m))
        {
            // A TLS server's bytes where an HTTP answer was expected: it never read the request.
            tls = true;
            reason.push_str(" (if this server expects HTTPS, the `url` must start with https://)");
        }
        Error::Transport {
            method: method.to_string(),
            path: url.path().to_string(),
            reason,
            connect: (e.is_connect() || tls) && !e.is_timeout(),
            tls,
            timed_out: e.is_timeout(),
            note: String::new(),
        }
    }

    /// Records what the retry policy did, for the message.
    pub(super) fn after_attempts(mut self, tried: u32, read: bool) -> Error {
        if let Error::Transport { note, connect, .. } = &mut self {
            *note = match (*connect, tried) {
                // Never repeated (TLS) or repeated: say how often only when it was.
                (true, 0 | 1) => String::new(),
                (true, n) => format!(" (after {n} attempts)"),
                (false, n) => super::attempt_note(n, read),
            };
        }
        self
    }

    /// True for a 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Api { status: 404, .. })
    }

    /// The error Grafana (or the transport) gave, looking through wrappers such as [`Error::Version`].
    pub fn root(&self) -> &Error {
        match self {
            Error::Version { source, .. } => source.root(),
            e => e,
        }
    }

    /// Whether a failed attempt is worth repeating. `read`: the request changes nothing, so
    /// repeating it is safe even when Grafana may have acted on it.
    pub(super) fn is_retryable(&self, read: bool) -> bool {
        match self {
            // Grafana (or its front door) did not act on the request: 429 and 503 are
            // answered before any effect; a gateway's 502/504 may come after one.
            Error::Api { status, .. } => matches!(status, 429 | 503) || (read && matches!(status, 502 | 504)),
            Error::Transport { tls: true, .. } => false,
            Error::Transport { connect, .. } => *connect || read,
            _ => false,
        }
    }

    /// For a write that failed: whether Grafana may still have acted on it (the answer was
    /// lost, a gateway timed out, or Terraform stopped the provider mid-request). The caller
    /// reads back what Grafana holds before it says anything.
    pub fn may_have_acted(&self) -> bool {
        match self.root() {
            Error::Transport { connect, .. } => !connect,
            Error::Api { status, .. } => matches!(status, 502 | 504),
            // Answered, but not read: the write may have been done.
            Error::TooLarge { .. } => true,
            // 307 and 308 ask for the same request elsewhere: not acted on here. Others (a
            // 303 after a POST) may come after the write was done.
            Error::Redirect { status, .. } => !matches!(status, 307 | 308),
            Error::Stopped => true,
            _ => false,
        }
    }
}
