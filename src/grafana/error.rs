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
    #[error("{method} {path} failed: {reason}")]
    Transport { method: String, path: String, reason: String, connect: bool },
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

    pub(super) fn transport(method: &Method, url: &url::Url, e: reqwest::Error) -> Error {
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
        let reason = parts.join(": ").replace(url.as_str(), url.path());
        // A certificate that fails verification will fail again: not worth a retry.
        let tls = reason.to_lowercase().contains("certificate");
        Error::Transport {
            method: method.to_string(),
            path: url.path().to_string(),
            reason,
            connect: e.is_connect() && !tls,
        }
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

    pub(super) fn is_retryable(&self) -> bool {
        match self {
            // Statuses that mean Grafana (or its front door) did not act on the request.
            Error::Api { status, .. } => matches!(status, 429 | 502 | 503 | 504),
            Error::Transport { connect, .. } => *connect,
            _ => false,
        }
    }
}
