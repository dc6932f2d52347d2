//! A client for the Grafana HTTP API of one Grafana (an AMG workspace or any other).
//!
//! It knows nothing of Terraform: it speaks Grafana's JSON and returns typed errors. One
//! `reqwest` client with rustls (TLS verification always on) is shared by every request.
//! Requests that failed before Grafana acted on them (429, 502–504, connection refused) are
//! retried a bounded number of times; see [`Client::send`].

mod dashboards;
mod error;
mod folders;

use std::sync::Arc;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::Method;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

pub use dashboards::{Dashboard, DashboardHit, SaveDashboard, Saved};
pub use error::Error;
pub use folders::{Folder, FolderRef};

/// A bearer token; its `Debug` never shows the value.
#[derive(Clone)]
pub struct Secret(Arc<str>);

impl Secret {
    pub fn new(s: &str) -> Secret {
        Secret(Arc::from(s))
    }
    fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How to reach one Grafana.
#[derive(Clone, Debug)]
pub struct Config {
    /// Base URL, e.g. `https://g-abc.grafana-workspace.us-east-1.amazonaws.com`.
    pub url: url::Url,
    pub token: Option<Secret>,
    /// Extra CA certificates (PEM) to trust besides the system's.
    pub ca_pem: Option<Vec<u8>>,
    /// How many times a retryable failure is retried.
    pub max_retries: usize,
}

#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    base: url::Url,
    token: Option<Secret>,
    max_retries: usize,
    cancel: CancellationToken,
    /// The Grafana version, asked once per provider process.
    version: Arc<tokio::sync::OnceCell<String>>,
}

impl Client {
    /// Builds the client; `cancel` stops every request in flight when Terraform stops the provider.
    pub fn new(cfg: Config, cancel: CancellationToken) -> Result<Client, Error> {
        let mut b = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(concat!("terraform-provider-grafana/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120));
        if let Some(pem) = &cfg.ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| Error::Config(format!("ca_cert is not valid PEM: {e}")))?;
            if certs.is_empty() {
                return Err(Error::Config("ca_cert holds no PEM certificate".into()));
            }
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        let http = b.build().map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        let mut base = cfg.url;
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        Ok(Client { http, base, token: cfg.token, max_retries: cfg.max_retries, cancel, version: Default::default() })
    }

    /// The base URL, without a trailing slash, for building links such as `url` attributes.
    pub fn base_url(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_string()
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
                let url = format!("{}/{PATH}", self.base_url());
                let s: Settings = self.send(Method::GET, PATH, None).await.map_err(|e| Error::Version {
                    url: url.clone(),
                    reason: e.to_string(),
                    source: Box::new(e),
                })?;
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
        let v = self.version().await?;
        let major: u32 = v.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
        Ok(major >= 11)
    }

    /// Sends one request and decodes a JSON answer. Retries only what is safe to retry:
    /// statuses that mean "not acted on" (429, 502, 503, 504) and failures to connect.
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<T, Error> {
        let url = self.base.join(path).map_err(|e| Error::Config(format!("bad path {path}: {e}")))?;
        let attempt = || async {
            let mut req = self.http.request(method.clone(), url.clone()).header("Accept", "application/json");
            if let Some(t) = &self.token {
                req = req.bearer_auth(t.expose());
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            tracing::debug!(method = %method, path = %url.path(), "grafana request");
            let resp = req.send().await.map_err(|e| Error::transport(&method, &url, e))?;
            let status = resp.status();
            let retry_after =
                resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
            let bytes = resp.bytes().await.map_err(|e| Error::transport(&method, &url, e))?;
            tracing::debug!(method = %method, path = %url.path(), status = status.as_u16(), "grafana response");
            if status.is_success() {
                return serde_json::from_slice(&bytes)
                    .map_err(|e| Error::Decode { what: format!("{method} {}", url.path()), reason: e.to_string() });
            }
            Err(Error::from_response(status, &bytes, retry_after))
        };
        let policy = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(200))
            .with_max_delay(Duration::from_secs(5))
            .with_max_times(self.max_retries)
            .with_jitter();
        let run = attempt
            .retry(policy)
            .when(Error::is_retryable)
            .adjust(|e, d| match e {
                Error::Api { retry_after: Some(s), .. } => Some(Duration::from_secs((*s).min(10))),
                _ => d,
            })
            .notify(|e, d| tracing::warn!(error = %e, delay_ms = d.as_millis() as u64, "retrying grafana request"));
        tokio::select! {
            r = run => r,
            _ = self.cancel.cancelled() => Err(Error::Stopped),
        }
    }
}

/// Percent-encodes one path segment.
fn seg(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
