//! The provider itself: its configuration block, the Grafana client built from it, and the
//! list of resource and data source types.
//!
//! URL mode: `url` + `auth` (a service-account token) reach any Grafana. Values unknown at
//! plan time (a workspace created in the same run) do not fail the plan: the provider stays
//! unconfigured until apply, and only calls that need Grafana say so.

use std::sync::{Arc, RwLock};

use tokio_util::sync::CancellationToken;

use crate::data_sources;
use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::{DataSource, Resource};
use crate::grafana::{self, Client, Secret};
use crate::resources;
use crate::schema::{Attribute, Schema};
use crate::value::Value;

pub fn schema() -> Schema {
    Schema::new(
        "Manages Grafana objects (folders, dashboards, data sources) in an Amazon Managed Grafana workspace or any Grafana reachable over HTTP(S).",
        vec![
            Attribute::string("url")
                .optional()
                .describe("Base URL of the Grafana, e.g. `https://g-abc123.grafana-workspace.us-east-1.amazonaws.com`. For an AMG workspace use `\"https://${aws_grafana_workspace.this.endpoint}\"`. May also be set with the `GRAFANA_URL` environment variable."),
            Attribute::string("auth")
                .optional()
                .sensitive()
                .describe("A Grafana service-account token (`glsa_…`) or API key, sent as `Authorization: Bearer`. May also be set with the `GRAFANA_AUTH` environment variable. Never logged."),
            Attribute::string("ca_cert")
                .optional()
                .describe("Extra certificate authority to trust for `url`: PEM content, or the path of a PEM file. May also be set with the `GRAFANA_CA_CERT` environment variable. TLS verification is always on."),
        ],
    )
}

enum State {
    NotConfigured,
    /// Configured with values unknown at plan time; they will be known at apply.
    Unknown,
    Ready(Client),
}

/// The end of this provider's registry address (`registry.terraform.io/amg-oss/grafana`).
const SOURCE_SUFFIX: &str = "amg-oss/grafana";

/// Whether a `moved` block's source provider is this one or the official `grafana/grafana`,
/// by address suffix: Terraform sends `registry.terraform.io/grafana/grafana`, OpenTofu
/// `registry.opentofu.org/grafana/grafana` or, in some versions, a short `grafana/grafana`.
pub fn moves_from(address: &str) -> bool {
    let a = address.trim_end_matches('/');
    let ends = |suffix: &str| a == suffix || a.ends_with(&format!("/{suffix}"));
    ends("grafana/grafana") || ends(SOURCE_SUFFIX)
}

pub struct Provider {
    resources: Vec<Arc<dyn Resource>>,
    data_sources: Vec<Arc<dyn DataSource>>,
    state: RwLock<State>,
    /// Cancelled by `StopProvider`: every Grafana request in flight returns at once.
    pub cancel: CancellationToken,
}

impl Default for Provider {
    fn default() -> Self {
        Provider::new()
    }
}

impl Provider {
    pub fn new() -> Provider {
        let (resources, data_sources) = (resources::all(), data_sources::all());
        // A typed model that drifted from its schema is a bug of ours: fail loudly in debug
        // builds (every test runs one), before any value is decoded with it.
        if cfg!(debug_assertions) {
            for r in &resources {
                crate::model::check_against_schema(r.type_name(), r.model_attributes(), &r.schema()).unwrap();
            }
            for d in &data_sources {
                crate::model::check_against_schema(d.type_name(), d.model_attributes(), &d.schema()).unwrap();
            }
        }
        Provider { resources, data_sources, state: RwLock::new(State::NotConfigured), cancel: CancellationToken::new() }
    }

    pub fn resources(&self) -> &[Arc<dyn Resource>] {
        &self.resources
    }
    pub fn data_sources(&self) -> &[Arc<dyn DataSource>] {
        &self.data_sources
    }
    pub fn resource(&self, name: &str) -> Option<&dyn Resource> {
        self.resources.iter().find(|r| r.type_name() == name).map(|r| r.as_ref())
    }
    pub fn data_source(&self, name: &str) -> Option<&dyn DataSource> {
        self.data_sources.iter().find(|r| r.type_name() == name).map(|r| r.as_ref())
    }

    /// Checks the provider block alone.
    pub fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(u) = config.get("url").as_str()
            && let Err(e) = parse_url(u)
        {
            diags.push(e);
        }
    }

    /// Builds the Grafana client from the provider block and the environment.
    pub fn configure(&self, config: &Value, diags: &mut Diagnostics) {
        if !config.is_wholly_known() {
            tracing::info!("provider configuration has values unknown until apply; deferring client setup");
            *self.state.write().expect("provider state lock") = State::Unknown;
            return;
        }
        let setting = |name: &str, env: &str| -> Option<String> {
            config.get(name).as_str().map(str::to_string).or_else(|| std::env::var(env).ok()).filter(|s| !s.is_empty())
        };
        let Some(url) = setting("url", "GRAFANA_URL") else {
            diags.push(
                Diagnostic::error(
                    "Missing Grafana URL",
                    "Set `url` in the provider block (or the GRAFANA_URL environment variable) to the Grafana base URL, e.g. \"https://${aws_grafana_workspace.this.endpoint}\".",
                )
                .at_attr("url"),
            );
            return;
        };
        let url = match parse_url(&url) {
            Ok(u) => u,
            Err(d) => return diags.push(d),
        };
        let ca_pem = match setting("ca_cert", "GRAFANA_CA_CERT").map(|c| load_pem(&c)).transpose() {
            Ok(p) => p,
            Err(d) => return diags.push(d),
        };
        let token = setting("auth", "GRAFANA_AUTH").map(|t| Secret::new(&t));
        let cfg = grafana::Config { url, token, ca_pem, max_retries: 4, timeouts: Default::default() };
        match Client::new(cfg, self.cancel.clone()) {
            Ok(c) => *self.state.write().expect("provider state lock") = State::Ready(c),
            Err(e) => diags.push(Diagnostic::error("Invalid provider configuration", e.to_string()).at_attr("ca_cert")),
        }
    }

    /// The configured client, or an error diagnostic saying why there is none.
    pub fn client(&self, diags: &mut Diagnostics) -> Option<Client> {
        match &*self.state.read().expect("provider state lock") {
            State::Ready(c) => Some(c.clone()),
            State::Unknown => {
                diags.push(Diagnostic::error(
                    "Provider configuration not yet known",
                    "The provider block uses values known only after apply (for example a workspace endpoint created in this run), and this step needs to call Grafana. Apply the resources it depends on first (`terraform apply -target=…`), or set `url` and `auth` from known values.",
                ));
                None
            }
            State::NotConfigured => {
                diags.push(Diagnostic::error(
                    "Provider not configured",
                    "Terraform did not configure the provider before using it.",
                ));
                None
            }
        }
    }

    /// The client if the provider is configured with known values.
    pub fn client_if_ready(&self) -> Option<Client> {
        match &*self.state.read().expect("provider state lock") {
            State::Ready(c) => Some(c.clone()),
            _ => None,
        }
    }
}

fn parse_url(u: &str) -> Result<url::Url, Diagnostic> {
    let bad = |why: &str| {
        Diagnostic::error("Invalid Grafana URL", format!("`url` must be an http(s) URL such as https://g-abc123.grafana-workspace.us-east-1.amazonaws.com: {why}."))
            .at_attr("url")
    };
    let parsed = url::Url::parse(u).map_err(|e| bad(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad(&format!("the scheme is {:?}", parsed.scheme())));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("credentials belong in `auth`, not in the URL"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(bad(
            "it has a query (`?…`) or fragment (`#…`), which would end up inside every API path and link; give the base URL only, such as https://host or https://host/grafana",
        ));
    }
    Ok(parsed)
}

fn load_pem(v: &str) -> Result<Vec<u8>, Diagnostic> {
    if v.trim_start().starts_with("-----BEGIN") {
        return Ok(v.as_bytes().to_vec());
    }
    std::fs::read(v).map_err(|e| {
        Diagnostic::error(
            "Cannot read ca_cert",
            format!("`ca_cert` is neither PEM content nor a readable file ({v}): {e}."),
        )
        .at_attr("ca_cert")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_are_accepted_from_this_provider_and_the_official_one() {
        for ok in [
            "registry.terraform.io/grafana/grafana",
            "registry.opentofu.org/grafana/grafana",
            "grafana/grafana",
            "registry.terraform.io/amg-oss/grafana",
        ] {
            assert!(moves_from(ok), "{ok}");
        }
        for no in ["registry.terraform.io/hashicorp/aws", "registry.terraform.io/other/grafana", "notgrafana/grafana"] {
            assert!(!moves_from(no), "{no}");
        }
    }

    #[test]
    fn urls_are_checked_at_plan_time() {
        for ok in
            ["https://g-abc.grafana-workspace.us-east-1.amazonaws.com", "http://127.0.0.1:3000/", "https://h/grafana"]
        {
            assert!(parse_url(ok).is_ok(), "{ok}");
        }
        let why = |u: &str| parse_url(u).unwrap_err().detail;
        assert!(why("https://h/?orgId=1").contains("query"), "{}", why("https://h/?orgId=1"));
        assert!(why("https://h/#x").contains("fragment"));
        assert!(why("https://u:p@h/").contains("credentials belong in `auth`"));
        assert!(why("ftp://h/").contains("\"ftp\""));
        assert!(why("not a url").contains("must be an http(s) URL"));
        assert_eq!(parse_url("https://h/?x").unwrap_err().path, Some(crate::diag::AttrPath::attr("url")));
    }

    #[test]
    fn ca_cert_is_pem_content_or_a_readable_file() {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        assert_eq!(load_pem(pem).unwrap(), pem.as_bytes());
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), pem).unwrap();
        assert_eq!(load_pem(f.path().to_str().unwrap()).unwrap(), pem.as_bytes());
        let d = load_pem("/no/such/ca.pem").unwrap_err();
        assert_eq!(d.summary, "Cannot read ca_cert");
        assert_eq!(d.path, Some(crate::diag::AttrPath::attr("ca_cert")));
    }
}
