//! A Terraform/OpenTofu provider for Grafana, built first for Amazon Managed Grafana (AMG).
//!
//! Read `ARCHITECTURE.md` for the map. In short:
//! - [`plugin`] is the go-plugin host contract (handshake, TLS, signals, logging);
//! - [`tfplugin`] is the protocol boundary: the only module that names generated protobuf types;
//! - [`value`], [`schema`], [`diag`] are the provider's own vocabulary for values, schemas and diagnostics;
//! - [`framework`] runs the resource lifecycle (plan helpers, import, read-removes-on-404);
//! - [`provider`] holds the provider configuration and the list of resources and data sources;
//! - [`resources`], [`data_sources`] and [`ephemeral`] hold one file per Terraform type;
//! - [`grafana`] is the Grafana HTTP API client, which knows nothing of Terraform;
//! - [`model`] and [`dashboard_json`]: typed resource models, and the dashboard JSON rules.
//!
//! Only [`main`] (the plugin's entry point), [`VERSION`], [`docs`] (the registry docs, rendered by the
//! test suite), [`amg_lease`] and [`receivers`] (AMG tokens and contact point blocks for
//! `operator2tf`) are public: everything else is crate-private, so the compiler reports dead code.

mod amg;
pub mod amg_lease;
mod dashboard_json;
mod data_sources;
mod datasource_json;
mod diag;
pub mod docs;
mod ephemeral;
mod framework;
#[cfg(test)]
mod fuzz;
mod grafana;
mod logging;
#[macro_use]
mod model;
mod plugin;
mod provider;
pub mod receivers;
mod resources;
mod schema;
mod tfplugin;
mod value;

pub use plugin::main;

/// The version this binary reports (in Grafana's logs, as its user agent): the release's, set by
/// `cargo xtask release <version>`, or the crate's.
pub const VERSION: &str = match option_env!("TERRAFORM_PROVIDER_VERSION") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};
