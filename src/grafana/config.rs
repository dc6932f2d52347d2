//! What the client is made of: its configuration ([`Config`]), how it authenticates ([`Auth`],
//! a [`TokenSource`] for minted tokens) and [`Secret`], a token whose `Debug` shows nothing.

use std::sync::Arc;
use std::time::Duration;

/// A bearer token; its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    pub fn new(s: &str) -> Secret {
        Secret(Arc::from(s))
    }
    pub(super) fn expose(&self) -> &str {
        &self.0
    }
    /// The value, for the one place a token goes to Terraform: an ephemeral resource's result,
    /// which Terraform keeps out of state and plan.
    pub(crate) fn expose_to_terraform(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Why a [`TokenSource`] gave no token or URL: `message` says what happened and what to do;
/// `setting` is the provider argument to look at first (`workspace_id`, `region`, `profile`,
/// `grafana_role`, `workspace_ready_timeout_seconds`, `url`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    pub setting: &'static str,
    pub message: String,
}

impl SourceError {
    pub fn at(setting: &'static str, message: impl Into<String>) -> SourceError {
        SourceError { setting, message: message.into() }
    }
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Where tokens come from when they are minted on demand (AMG-native auth) rather than
/// configured. The client asks for one before its first request, and calls [`renew`] once
/// when Grafana answers 401 with it.
///
/// [`renew`]: TokenSource::renew
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync + std::fmt::Debug {
    /// The Grafana base URL, when the configuration gives none.
    async fn url(&self) -> Result<url::Url, SourceError>;
    /// A token that is valid now.
    async fn token(&self) -> Result<Secret, SourceError>;
    /// A token other than `rejected`, which Grafana refused.
    async fn renew(&self, rejected: &Secret) -> Result<Secret, SourceError>;
    /// The Grafana role of the tokens it mints (`ADMIN`, `EDITOR`, `VIEWER`), for error messages.
    fn role(&self) -> Option<String> {
        None
    }
    /// Whether the AMG workspace's IAM role and its policies are AMG's (service-managed);
    /// `None` when the source does not know.
    async fn service_managed(&self) -> Option<bool> {
        None
    }
}

/// How requests authenticate.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Token(Secret),
    Minted(Arc<dyn TokenSource>),
}

/// How to reach one Grafana. Its `Debug` shows no key material (see below).
#[derive(Clone)]
pub struct Config {
    /// Base URL, e.g. `https://g-abc1234567.grafana-workspace.us-east-1.amazonaws.com`; `None` when a
    /// [`TokenSource`] knows it.
    pub url: Option<url::Url>,
    pub auth: Auth,
    /// Extra CA certificates (PEM) to trust besides the system's.
    pub ca_pem: Option<Vec<u8>>,
    /// How many times a retryable failure is retried.
    pub max_retries: usize,
    /// A fixed pause between retries instead of the exponential one (`retry_wait`).
    pub retry_wait: Option<Duration>,
    /// More statuses to retry (`retry_status_codes`, `x` a digit wildcard, e.g. `5xx`): for
    /// reads only, as a write answered with one may have been acted on.
    pub retry_statuses: Vec<String>,
    /// How long one attempt waits for an answer, and one call (retries included) in all.
    pub timeouts: Timeouts,
    /// A client certificate and its key, PEM (`tls_cert` + `tls_key`).
    pub identity_pem: Option<Vec<u8>>,
    /// Accept any server certificate (`insecure_skip_verify`): for test setups only.
    pub insecure_skip_verify: bool,
    /// Headers sent with every request (`http_headers`); their values are never logged.
    pub headers: Vec<(String, Secret)>,
    /// With a minted token: `url` must be the token source's own URL (same scheme, host and
    /// port), checked before any token is minted or sent.
    pub url_must_be_the_sources: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("url", &self.url.as_ref().map(url::Url::as_str))
            .field("auth", &self.auth)
            .field("ca_pem", &self.ca_pem.as_ref().map(|_| "set"))
            .field("identity_pem", &self.identity_pem.as_ref().map(|_| "***"))
            .field("max_retries", &self.max_retries)
            .field("retry_wait", &self.retry_wait)
            .field("insecure_skip_verify", &self.insecure_skip_verify)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// A configuration with the defaults for everything but the URL and token.
    #[cfg(test)]
    pub fn new(url: url::Url, token: Option<Secret>) -> Config {
        Config::with_auth(Some(url), token.map_or(Auth::None, Auth::Token))
    }

    /// A configuration with the defaults for everything but the URL and how to authenticate.
    pub fn with_auth(url: Option<url::Url>, auth: Auth) -> Config {
        Config {
            url,
            auth,
            ca_pem: None,
            max_retries: 4,
            retry_wait: None,
            retry_statuses: Vec::new(),
            timeouts: Timeouts::default(),
            identity_pem: None,
            insecure_skip_verify: false,
            headers: Vec::new(),
            url_must_be_the_sources: false,
        }
    }
}

/// How long the client waits for Grafana.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub attempt: Duration,
    pub call: Duration,
}

impl Default for Timeouts {
    /// 30 s for an answer (a 1 MB dashboard saves in well under a second), 75 s per call.
    fn default() -> Timeouts {
        Timeouts { attempt: Duration::from_secs(30), call: Duration::from_secs(75) }
    }
}
