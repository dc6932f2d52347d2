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
    },
    /// The request did not get an answer (connection refused, reset, timed out, TLS failure).
    /// `connect`: it never reached Grafana (refused, or no TLS session: `tls`, which no retry
    /// mends); `note` says what the retry policy did.
    #[error("{method} {path} failed: {reason}{note}")]
    Transport { method: String, path: String, reason: String, connect: bool, tls: bool, timed_out: bool, note: String },
    /// Grafana answered success with a body we could not read.
    #[error("unexpected answer to {what}: {reason}")]
    Decode { what: String, reason: String },
    /// The client could not be built from its configuration.
    #[error("{0}")]
    Config(String),
    /// The Grafana version could not be learnt from `url` (`GET /api/frontend/settings`);
    /// `source` is why, and decides whether it is worth retrying.
    #[error("could not learn the Grafana version from GET {url}: {reason}")]
    Version { url: String, reason: String, source: Box<Error> },
    /// No token (or URL) could be had from the token source (AMG-native auth): the message
    /// says why and what to do.
    #[error("{0}")]
    Credentials(String),
    /// Terraform stopped the provider while the request was in flight.
    #[error("stopped by Terraform")]
    Stopped,
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
        Error::Api { status: status.as_u16(), message, reason: parsed.and_then(|b| b.status), retry_after }
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
            Error::Stopped => true,
            _ => false,
        }
    }
}
