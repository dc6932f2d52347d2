//! A Terraform/OpenTofu provider for Grafana, built first for Amazon Managed Grafana (AMG).
//!
//! Read `ARCHITECTURE.md` for the map. In short:
//! - [`plugin`] is the go-plugin host contract (handshake, TLS, signals, logging);
//! - [`tfplugin`] is the protocol boundary: the only module that names generated protobuf types;
//! - [`value`], [`schema`], [`diag`] are the provider's own vocabulary for values, schemas and diagnostics;
//! - [`framework`] runs the resource lifecycle (plan helpers, import, read-removes-on-404);
//! - [`provider`] holds the provider configuration and the list of resources and data sources;
//! - [`resources`] and [`data_sources`] hold one file per Terraform type;
//! - [`grafana`] is the Grafana HTTP API client, which knows nothing of Terraform.

pub mod dashboard_json;
pub mod data_sources;
pub mod diag;
pub mod framework;
pub mod grafana;
pub mod logging;
#[macro_use]
pub mod model;
pub mod plugin;
pub mod provider;
pub mod resources;
pub mod schema;
pub mod tfplugin;
pub mod value;
