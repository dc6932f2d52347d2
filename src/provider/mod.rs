//! The provider itself: the Grafana client built from its configuration block, and the list
//! of resource and data source types. The block's schema and typed model are in `schema.rs`,
//! every rule about its values (and their environment variables) in `settings.rs`.
//!
//! URL mode: `url` + `auth` (a service-account token) reach any Grafana. Values unknown at
//! plan time (a workspace created in the same run) do not fail the plan: the provider stays
//! unconfigured until apply, and only calls that need Grafana say so.

use std::sync::{Arc, RwLock};

use tokio_util::sync::CancellationToken;

use crate::amg;
use crate::data_sources;
use crate::diag::{Diagnostic, Diagnostics};
use crate::ephemeral;
use crate::framework::{DataSource, EphemeralResource, Options, Resource};
use crate::grafana::{self, Client};
use crate::model::Model;
use crate::resources;
use crate::value::Value;

mod messages;
mod schema;
pub(crate) mod settings;

use schema::ProviderModel;
pub use schema::schema;
use settings::{ProcessEnv, Settings};

enum State {
    NotConfigured,
    /// Configured with values unknown at plan time; they will be known at apply.
    Unknown,
    Ready(Client),
}

pub struct Provider {
    resources: Vec<Arc<dyn Resource>>,
    data_sources: Vec<Arc<dyn DataSource>>,
    ephemeral_resources: Vec<Arc<dyn EphemeralResource>>,
    state: RwLock<State>,
    /// Cancelled by `StopProvider`: every Grafana request in flight returns at once.
    pub cancel: CancellationToken,
    /// Settings resources follow (`store_dashboard_sha256`), known once configured.
    options: RwLock<Options>,
    /// AMG-native auth, when configured: its tokens are deleted at [`Provider::shutdown`].
    amg: std::sync::Mutex<Option<Arc<amg::Amg>>>,
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
        let ephemeral_resources = ephemeral::all();
        if cfg!(debug_assertions) {
            for e in &ephemeral_resources {
                crate::model::check_against_schema(e.type_name(), e.model_attributes(), &e.schema()).unwrap();
            }
        }
        Provider {
            resources,
            data_sources,
            ephemeral_resources,
            state: RwLock::new(State::NotConfigured),
            cancel: CancellationToken::new(),
            options: RwLock::new(Options::default()),
            amg: std::sync::Mutex::new(None),
        }
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
    pub fn ephemeral_resources(&self) -> &[Arc<dyn EphemeralResource>] {
        &self.ephemeral_resources
    }
    pub fn ephemeral_resource(&self, name: &str) -> Option<&dyn EphemeralResource> {
        self.ephemeral_resources.iter().find(|r| r.type_name() == name).map(|r| r.as_ref())
    }

    /// The provider's own AMG-native auth settings, when it is configured with them (what an
    /// ephemeral token defaults to).
    pub fn amg_settings(&self) -> Option<crate::amg::Settings> {
        self.amg.lock().expect("amg lock").as_ref().map(|a| a.settings().clone())
    }

    /// Checks the provider block alone (no call, no environment): [`settings::check_block`].
    pub fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        settings::check_block(config, diags);
    }

    /// Builds the Grafana client from the provider block and the environment
    /// ([`settings::Settings::from`]); with values unknown until apply, waits for them.
    pub fn configure(&self, config: &Value, diags: &mut Diagnostics) {
        let model = ProviderModel::decode(config);
        *self.options.write().expect("options lock") = settings::options(&model, &ProcessEnv);
        if !config.is_wholly_known() {
            tracing::info!("provider configuration has values unknown until apply; deferring client setup");
            *self.state.write().expect("provider state lock") = State::Unknown;
            return;
        }
        let s = match Settings::from(&model, &ProcessEnv) {
            Ok(s) => s,
            Err(d) => return diags.push(d),
        };
        diags.0.extend(s.warnings);
        let amg = s.amg.map(|a| Arc::new(amg::Amg::new(a)));
        let mut client = s.client;
        if let Some(a) = &amg {
            client.auth = grafana::Auth::Minted(a.clone());
        }
        match Client::new(client, self.cancel.clone()) {
            Ok(c) => {
                *self.amg.lock().expect("amg lock") = amg;
                *self.state.write().expect("provider state lock") = State::Ready(c)
            }
            Err(e) => diags.push(crate::diag::config_error(&e)),
        }
    }

    /// The configured client, or an error diagnostic saying why there is none.
    pub fn client(&self, diags: &mut Diagnostics) -> Option<Client> {
        match &*self.state.read().expect("provider state lock") {
            State::Ready(c) => Some(c.clone()),
            State::Unknown => {
                diags.push(Diagnostic::error(
                    "Provider configuration not yet known",
                    "The provider block uses values known only after apply (for example a workspace endpoint created \
                        in this run), and this step needs to call Grafana. Apply the resources it depends on first \
                        (`terraform apply -target=…`), or set `url` and `auth` from known values.",
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

    /// Settings resources follow.
    pub fn options(&self) -> Options {
        *self.options.read().expect("options lock")
    }

    /// Terraform is about to end the process: delete the tokens this process minted (bounded),
    /// then cancel whatever is still in flight.
    pub async fn shutdown(&self) {
        let amg = self.amg.lock().expect("amg lock").take();
        if let Some(a) = amg {
            a.revoke().await;
        }
        self.cancel.cancel();
    }

    /// The client if the provider is configured with known values.
    pub fn client_if_ready(&self) -> Option<Client> {
        match &*self.state.read().expect("provider state lock") {
            State::Ready(c) => Some(c.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configure(attrs: Vec<(&str, Value)>) -> Diagnostics {
        let mut all: std::collections::BTreeMap<String, Value> =
            schema().attributes.iter().map(|a| (a.name.to_string(), Value::Null)).collect();
        all.insert("url".into(), Value::string("https://g.example.com"));
        for (k, v) in attrs {
            all.insert(k.into(), v);
        }
        let mut d = Diagnostics::default();
        Provider::new().configure(&Value::Object(all), &mut d);
        d
    }

    #[test]
    fn a_client_certificate_is_loaded_from_tls_cert_and_tls_key() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["client".to_string()]).unwrap().self_signed(&key).unwrap();
        let d =
            configure(vec![("tls_cert", Value::string(cert.pem())), ("tls_key", Value::string(key.serialize_pem()))]);
        assert!(!d.has_errors(), "{:?}", d.0);
        let d = configure(vec![
            ("tls_cert", Value::string(cert.pem())),
            ("tls_key", Value::string("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")),
        ]);
        assert!(d.has_errors(), "a broken key is refused");
        assert!(!d.0[0].detail.contains("nope"), "the key's content in an error: {}", d.0[0].detail);
        let d = configure(vec![("org_id", Value::int(3))]);
        assert_eq!(d.0[0].summary, "Unsupported organisation");
    }
}
