//! The protocol boundary: the gRPC `tfplugin6.Provider` service.
//!
//! This is the only module that names generated protobuf types. Every handler has the same
//! shape: decode the request (`convert`), call the provider or `framework`, encode the answer.
//! User-facing failures travel as diagnostics inside a successful response, never as a gRPC
//! error status.

mod convert;
mod ephemeral;
mod guard;
#[cfg(test)]
mod inprocess;
mod list;
mod schemas;

use std::sync::Arc;

use tonic::{Request, Response, Status};

use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::{self, lifecycle};
use crate::provider::{self, Provider};
use crate::schema::IdentitySchema;
use crate::value::Type;
use guard::{guarded, test_panic};

// Generated code: every message is declared, not every one is named here.
#[allow(clippy::all, missing_docs, unreachable_pub, dead_code)]
pub mod pb {
    tonic::include_proto!("tfplugin6");
}

#[allow(clippy::all, missing_docs, unreachable_pub, dead_code)]
pub mod goplugin {
    tonic::include_proto!("plugin");
}

pub use pb::provider_server::ProviderServer;

/// The `tfplugin6.Provider` gRPC service over one [`Provider`].
#[derive(Clone)]
pub struct Service {
    provider: Arc<Provider>,
}

impl Service {
    pub fn new(provider: Arc<Provider>) -> Service {
        Service { provider }
    }

    fn resource(&self, name: &str, diags: &mut Diagnostics) -> Option<&dyn framework::Resource> {
        let r = self.provider.resource(name);
        if r.is_none() {
            diags.push(Diagnostic::error(
                "Unknown resource type",
                format!("This provider has no resource type {name:?}."),
            ));
        }
        r
    }

    fn data_source(&self, name: &str, diags: &mut Diagnostics) -> Option<&dyn framework::DataSource> {
        let r = self.provider.data_source(name);
        if r.is_none() {
            diags.push(Diagnostic::error("Unknown data source", format!("This provider has no data source {name:?}.")));
        }
        r
    }
}

type Res<T> = Result<Response<T>, Status>;

/// A lifecycle answer's state and identity, encoded.
/// `ty` and `ids` are the resource's state type and identity schema, which the handler already
/// built to decode the request.
fn encoded(
    ty: &Type,
    ids: Option<&IdentitySchema>,
    a: &lifecycle::Answer,
) -> (Option<pb::DynamicValue>, Option<pb::ResourceIdentityData>) {
    (convert::dynamic(&a.state, ty), convert::identity_data(a.identity.clone(), ids))
}

#[tonic::async_trait]
impl pb::provider_server::Provider for Service {
    async fn get_provider_schema(
        &self,
        _req: Request<pb::get_provider_schema::Request>,
    ) -> Res<pb::get_provider_schema::Response> {
        guarded::<pb::get_provider_schema::Response, _>("GetProviderSchema", async move {
            Ok(Response::new(schemas::provider_schema(&self.provider)))
        })
        .await
    }

    async fn get_resource_identity_schemas(
        &self,
        _req: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Res<pb::get_resource_identity_schemas::Response> {
        guarded::<pb::get_resource_identity_schemas::Response, _>("GetResourceIdentitySchemas", async move {
            Ok(Response::new(schemas::identity_schemas(&self.provider)))
        })
        .await
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Res<pb::validate_provider_config::Response> {
        guarded::<pb::validate_provider_config::Response, _>("ValidateProviderConfig", async move {
            let req = req.into_inner();
            let mut diags = Diagnostics::default();
            let config =
                convert::value(req.config.as_ref(), &provider::schema().ty(), "provider configuration", &mut diags);
            self.provider.validate(&config, &mut diags);
            Ok(Response::new(pb::validate_provider_config::Response { diagnostics: convert::diagnostics(diags) }))
        })
        .await
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Res<pb::configure_provider::Response> {
        guarded::<pb::configure_provider::Response, _>("ConfigureProvider", async move {
            let req = req.into_inner();
            tracing::info!(terraform_version = %req.terraform_version, "configure_provider");
            let mut diags = Diagnostics::default();
            let config =
                convert::value(req.config.as_ref(), &provider::schema().ty(), "provider configuration", &mut diags);
            if !diags.has_errors() {
                self.provider.configure(&config, &mut diags);
            }
            Ok(Response::new(pb::configure_provider::Response { diagnostics: convert::diagnostics(diags) }))
        })
        .await
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Res<pb::validate_resource_config::Response> {
        guarded::<pb::validate_resource_config::Response, _>("ValidateResourceConfig", async move {
            let req = req.into_inner();
            let mut diags = Diagnostics::default();
            if let Some(r) = self.resource(&req.type_name, &mut diags) {
                let config = convert::value(req.config.as_ref(), &r.schema().ty(), "configuration", &mut diags);
                let wo = convert::write_only_allowed(req.client_capabilities.as_ref());
                if !diags.has_errors() {
                    framework::validate_resource(r, &config, wo, &mut diags);
                }
            }
            Ok(Response::new(pb::validate_resource_config::Response { diagnostics: convert::diagnostics(diags) }))
        })
        .await
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Res<pb::validate_data_resource_config::Response> {
        guarded::<pb::validate_data_resource_config::Response, _>("ValidateDataResourceConfig", async move {
            let req = req.into_inner();
            let mut diags = Diagnostics::default();
            if let Some(d) = self.data_source(&req.type_name, &mut diags) {
                let config = convert::value(req.config.as_ref(), &d.schema().ty(), "configuration", &mut diags);
                if !diags.has_errors() {
                    d.validate(&config, &mut diags);
                }
            }
            Ok(Response::new(pb::validate_data_resource_config::Response { diagnostics: convert::diagnostics(diags) }))
        })
        .await
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Res<pb::upgrade_resource_state::Response> {
        guarded::<pb::upgrade_resource_state::Response, _>("UpgradeResourceState", async move {
            let req = req.into_inner();
            let mut diags = Diagnostics::default();
            let mut upgraded_state = None;
            if let Some(r) = self.resource(&req.type_name, &mut diags) {
                let raw = req.raw_state.map(|s| s.json).unwrap_or_default();
                if let Some(v) = lifecycle::upgrade(r, req.version, &raw, &mut diags) {
                    upgraded_state = convert::dynamic(&v, &r.schema().ty());
                }
            }
            Ok(Response::new(pb::upgrade_resource_state::Response {
                upgraded_state,
                diagnostics: convert::diagnostics(diags),
            }))
        })
        .await
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Res<pb::upgrade_resource_identity::Response> {
        guarded::<pb::upgrade_resource_identity::Response, _>("UpgradeResourceIdentity", async move {
            let req = req.into_inner();
            let mut diags = Diagnostics::default();
            let mut upgraded_identity = None;
            if let Some(r) = self.resource(&req.type_name, &mut diags) {
                let raw = req.raw_identity.map(|s| s.json).unwrap_or_default();
                let v = lifecycle::upgrade_identity(r, req.version, &raw, &mut diags);
                upgraded_identity = convert::identity_data(v, r.identity_schema().as_ref());
            }
            Ok(Response::new(pb::upgrade_resource_identity::Response {
                upgraded_identity,
                diagnostics: convert::diagnostics(diags),
            }))
        })
        .await
    }

    async fn read_resource(&self, req: Request<pb::read_resource::Request>) -> Res<pb::read_resource::Response> {
        guarded::<pb::read_resource::Response, _>("ReadResource", async move {
            let req = req.into_inner();
            let mut diags = Diagnostics::default();
            let mut resp = pb::read_resource::Response {
                new_state: req.current_state.clone(),
                private: req.private.clone(),
                ..Default::default()
            };
            if let Some(r) = self.resource(&req.type_name, &mut diags) {
                tracing::debug!(type_name = %req.type_name, "read_resource");
                test_panic("ReadResource", &req.type_name);
                let ty = r.schema().ty();
                let state = convert::value(req.current_state.as_ref(), &ty, "state", &mut diags);
                if let (false, Some(client)) = (diags.has_errors(), self.provider.client(&mut diags)) {
                    let opts = self.provider.options();
                    let a = lifecycle::read(r, &client, &opts, state, req.private, &mut diags).await;
                    (resp.new_state, resp.new_identity) = encoded(&ty, r.identity_schema().as_ref(), &a);
                    resp.private = a.private;
                }
            }
            resp.diagnostics = convert::diagnostics(diags);
            Ok(Response::new(resp))
        })
        .await
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Res<pb::plan_resource_change::Response> {
        guarded::<pb::plan_resource_change::Response, _>("PlanResourceChange", async move {
            let req = req.into_inner();
            let mut diags = Diagnostics::default();
            let mut resp = pb::plan_resource_change::Response::default();
            if let Some(r) = self.resource(&req.type_name, &mut diags) {
                tracing::debug!(type_name = %req.type_name, "plan_resource_change");
                test_panic("PlanResourceChange", &req.type_name);
                let (ty, ids) = (r.schema().ty(), r.identity_schema());
                let plan = lifecycle::PlanRequest {
                    prior: convert::value(req.prior_state.as_ref(), &ty, "prior state", &mut diags),
                    proposed: convert::value(req.proposed_new_state.as_ref(), &ty, "proposed state", &mut diags),
                    config: convert::value(req.config.as_ref(), &ty, "configuration", &mut diags),
                    prior_identity: convert::identity(req.prior_identity.as_ref(), ids.as_ref(), &mut diags),
                    prior_private: req.prior_private,
                };
                if !diags.has_errors() {
                    let client = self.provider.client_if_ready();
                    let opts = self.provider.options();
                    let (a, requires_replace) = lifecycle::plan(r, client.as_ref(), &opts, plan, &mut diags).await;
                    (resp.planned_state, resp.planned_identity) = encoded(&ty, ids.as_ref(), &a);
                    resp.planned_private = a.private;
                    resp.legacy_type_system = a.legacy_type_system;
                    resp.requires_replace = requires_replace.into_iter().map(convert::path).collect();
                }
            }
            resp.diagnostics = convert::diagnostics(diags);
            Ok(Response::new(resp))
        })
        .await
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Res<pb::apply_resource_change::Response> {
        guarded::<pb::apply_resource_change::Response, _>("ApplyResourceChange", async move {
            let req = req.into_inner();
            let mut diags = Diagnostics::default();
            let mut resp =
                pb::apply_resource_change::Response { new_state: req.prior_state.clone(), ..Default::default() };
            if let Some(r) = self.resource(&req.type_name, &mut diags) {
                tracing::debug!(type_name = %req.type_name, "apply_resource_change");
                test_panic("ApplyResourceChange", &req.type_name);
                let ty = r.schema().ty();
                let prior = convert::value(req.prior_state.as_ref(), &ty, "prior state", &mut diags);
                let planned = convert::value(req.planned_state.as_ref(), &ty, "planned state", &mut diags);
                let config = convert::value(req.config.as_ref(), &ty, "configuration", &mut diags);
                if let (false, Some(client)) = (diags.has_errors(), self.provider.client(&mut diags)) {
                    let opts = self.provider.options();
                    let a = lifecycle::apply(r, &client, &opts, prior, planned, &config, &mut diags).await;
                    (resp.new_state, resp.new_identity) = encoded(&ty, r.identity_schema().as_ref(), &a);
                    resp.legacy_type_system = a.legacy_type_system;
                }
            }
            resp.diagnostics = convert::diagnostics(diags);
            Ok(Response::new(resp))
        })
        .await
    }

    /// `moved { from = <type>.a  to = <type>.b }` across resource types (Terraform ≥ 1.8,
    /// OpenTofu ≥ 1.10): `lifecycle::move_state` decides.
    async fn move_resource_state(
        &self,
        req: Request<pb::move_resource_state::Request>,
    ) -> Res<pb::move_resource_state::Response> {
        guarded::<pb::move_resource_state::Response, _>("MoveResourceState", async move {
            let req = req.into_inner();
            let mut diags = Diagnostics::default();
            let mut resp = pb::move_resource_state::Response::default();
            if let Some(r) = self.resource(&req.target_type_name, &mut diags) {
                let raw = req.source_state.map(|s| s.json).unwrap_or_default();
                let (source, from, version) =
                    (&req.source_provider_address, &req.source_type_name, req.source_schema_version);
                if let Some(a) = lifecycle::move_state(r, source, from, version, &raw, req.source_private, &mut diags) {
                    let (ty, ids) = (r.schema().ty(), r.identity_schema());
                    (resp.target_state, resp.target_identity) = encoded(&ty, ids.as_ref(), &a);
                    resp.target_private = a.private;
                }
            }
            resp.diagnostics = convert::diagnostics(diags);
            Ok(Response::new(resp))
        })
        .await
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Res<pb::import_resource_state::Response> {
        guarded::<pb::import_resource_state::Response, _>("ImportResourceState", async move {
            let req = req.into_inner();
            let mut diags = Diagnostics::default();
            let mut imported_resources = Vec::new();
            if let Some(r) = self.resource(&req.type_name, &mut diags) {
                let ids = r.identity_schema();
                let identity = convert::identity(req.identity.as_ref(), ids.as_ref(), &mut diags);
                if let Some(a) = lifecycle::import(r, &req.id, &identity, &mut diags) {
                    let (state, identity) = encoded(&r.schema().ty(), ids.as_ref(), &a);
                    imported_resources.push(pb::import_resource_state::ImportedResource {
                        type_name: req.type_name.clone(),
                        state,
                        private: a.private,
                        identity,
                    });
                }
            }
            Ok(Response::new(pb::import_resource_state::Response {
                imported_resources,
                diagnostics: convert::diagnostics(diags),
                deferred: None,
            }))
        })
        .await
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Res<pb::read_data_source::Response> {
        guarded::<pb::read_data_source::Response, _>("ReadDataSource", async move {
            let req = req.into_inner();
            let mut diags = Diagnostics::default();
            let mut state = None;
            if let Some(d) = self.data_source(&req.type_name, &mut diags) {
                tracing::debug!(type_name = %req.type_name, "read_data_source");
                let ty = d.schema().ty();
                let config = convert::value(req.config.as_ref(), &ty, "configuration", &mut diags);
                if let (false, Some(client)) = (diags.has_errors(), self.provider.client(&mut diags))
                    && let Some(v) = lifecycle::read_data(d, &client, &config, &mut diags).await
                {
                    state = convert::dynamic(&v, &ty);
                }
            }
            Ok(Response::new(pb::read_data_source::Response {
                state,
                diagnostics: convert::diagnostics(diags),
                deferred: None,
            }))
        })
        .await
    }

    async fn validate_ephemeral_resource_config(
        &self,
        req: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Res<pb::validate_ephemeral_resource_config::Response> {
        guarded::<pb::validate_ephemeral_resource_config::Response, _>(
            "ValidateEphemeralResourceConfig",
            self.validate_ephemeral(req.into_inner()),
        )
        .await
    }

    async fn open_ephemeral_resource(
        &self,
        req: Request<pb::open_ephemeral_resource::Request>,
    ) -> Res<pb::open_ephemeral_resource::Response> {
        guarded::<pb::open_ephemeral_resource::Response, _>(
            "OpenEphemeralResource",
            self.open_ephemeral(req.into_inner()),
        )
        .await
    }

    async fn renew_ephemeral_resource(
        &self,
        req: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Res<pb::renew_ephemeral_resource::Response> {
        guarded::<pb::renew_ephemeral_resource::Response, _>(
            "RenewEphemeralResource",
            self.renew_ephemeral(req.into_inner()),
        )
        .await
    }

    async fn close_ephemeral_resource(
        &self,
        req: Request<pb::close_ephemeral_resource::Request>,
    ) -> Res<pb::close_ephemeral_resource::Response> {
        guarded::<pb::close_ephemeral_resource::Response, _>(
            "CloseEphemeralResource",
            self.close_ephemeral(req.into_inner()),
        )
        .await
    }

    type ListResourceStream = list::ListStream;

    async fn list_resource(&self, req: Request<pb::list_resource::Request>) -> Res<list::ListStream> {
        guarded::<list::ListStream, _>("ListResource", self.list(req.into_inner())).await
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Res<pb::validate_list_resource_config::Response> {
        guarded::<pb::validate_list_resource_config::Response, _>(
            "ValidateListResourceConfig",
            self.validate_list(req.into_inner()),
        )
        .await
    }

    async fn generate_resource_config(
        &self,
        req: Request<pb::generate_resource_config::Request>,
    ) -> Res<pb::generate_resource_config::Response> {
        guarded::<pb::generate_resource_config::Response, _>(
            "GenerateResourceConfig",
            self.generate_config(req.into_inner()),
        )
        .await
    }

    async fn stop_provider(&self, _req: Request<pb::stop_provider::Request>) -> Res<pb::stop_provider::Response> {
        guarded::<pb::stop_provider::Response, _>("StopProvider", async move {
            tracing::info!("StopProvider: cancelling requests in flight");
            self.provider.cancel.cancel();
            Ok(Response::new(pb::stop_provider::Response { error: String::new() }))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    //! The protocol paths OpenTofu takes differently from Terraform, driven as such a client
    //! drives them (no OpenTofu binary can be had where this is built): no client capabilities
    //! before OpenTofu 1.11, and provider addresses in other spellings in MoveResourceState.

    use std::sync::Arc;

    use tonic::Request;

    use super::pb::provider_server::Provider as _;
    use super::*;
    use crate::value::Value;

    fn service() -> Service {
        Service::new(Arc::new(Provider::new()))
    }

    fn errors(diags: &[pb::Diagnostic]) -> Vec<&pb::Diagnostic> {
        diags.iter().filter(|d| d.severity == pb::diagnostic::Severity::Error as i32).collect()
    }

    fn attribute(d: &pb::Diagnostic) -> Option<String> {
        use pb::attribute_path::step::Selector;
        match d.attribute.as_ref()?.steps.first()?.selector.as_ref()? {
            Selector::AttributeName(n) => Some(n.clone()),
            _ => None,
        }
    }

    #[tokio::test]
    async fn opentofu_before_1_11_has_write_only_attributes_refused_with_guidance() {
        let svc = service();
        let ty =
            svc.provider.resources().iter().find(|r| r.type_name() == "grafana_data_source").unwrap().schema().ty();
        let config = pb::DynamicValue {
            msgpack: Value::object([
                ("name", Value::string("AMP")),
                ("type", Value::string("prometheus")),
                ("secure_json_data_encoded_wo", Value::string(r#"{"basicAuthPassword":"s3cret"}"#)),
                ("secure_json_data_encoded_wo_version", Value::int(1)),
            ])
            .to_msgpack(&ty),
            json: Vec::new(),
        };
        let validate = |caps: Option<pb::ClientCapabilities>| {
            let req = pb::validate_resource_config::Request {
                type_name: "grafana_data_source".into(),
                config: Some(config.clone()),
                client_capabilities: caps,
            };
            svc.validate_resource_config(Request::new(req))
        };
        // OpenTofu < 1.11 sends no capabilities at all; a client may also send them without this one.
        for caps in
            [None, Some(pb::ClientCapabilities { deferral_allowed: true, write_only_attributes_allowed: false })]
        {
            let resp = validate(caps).await.unwrap().into_inner();
            let errs = errors(&resp.diagnostics);
            assert_eq!(errs.len(), 1, "{:?}", resp.diagnostics);
            let e = errs[0];
            assert_eq!(attribute(e).as_deref(), Some("secure_json_data_encoded_wo"));
            assert!(e.summary.contains("Write-only attribute not supported"), "{e:?}");
            assert!(e.detail.contains("OpenTofu ≥ 1.11") && e.detail.contains("Terraform ≥ 1.11"), "{e:?}");
            assert!(e.detail.contains("set `secure_json_data_encoded` instead"), "the alternative is named: {e:?}");
            assert!(!e.detail.contains("s3cret"), "the secret is not echoed: {e:?}");
        }
        let resp =
            validate(Some(pb::ClientCapabilities { deferral_allowed: false, write_only_attributes_allowed: true }))
                .await
                .unwrap()
                .into_inner();
        assert!(errors(&resp.diagnostics).is_empty(), "{:?}", resp.diagnostics);
    }

    #[tokio::test]
    async fn opentofu_provider_addresses_in_move_resource_state() {
        let svc = service();
        // A state of the official provider's grafana_data_source (schema version 1).
        let state =
            br#"{"id":"1:amp","uid":"amp","name":"AMP","type":"prometheus","url":"https://aps.example","org_id":"1"}"#;
        let mov_state = |address: &str, state: &[u8]| {
            let req = pb::move_resource_state::Request {
                source_provider_address: address.into(),
                source_type_name: "grafana_data_source".into(),
                source_schema_version: 1,
                source_state: Some(pb::RawState { json: state.to_vec(), flatmap: Default::default() }),
                target_type_name: "grafana_datasource".into(),
                ..Default::default()
            };
            svc.move_resource_state(Request::new(req))
        };
        let mov = |address: &str| mov_state(address, state);
        for address in [
            "registry.opentofu.org/grafana/grafana",
            "grafana/grafana",
            "registry.terraform.io/grafana/grafana",
            "registry.opentofu.org/amg-oss/grafana",
            "amg-oss/grafana",
            // Installed under another address: a private registry, a company namespace, a fork.
            "example.com/x/grafana",
            "registry.terraform.io/acme/grafana",
        ] {
            let resp = mov(address).await.unwrap().into_inner();
            assert!(errors(&resp.diagnostics).is_empty(), "{address}: {:?}", resp.diagnostics);
            let ty =
                svc.provider.resources().iter().find(|r| r.type_name() == "grafana_datasource").unwrap().schema().ty();
            let moved = Value::from_msgpack(&resp.target_state.expect("a target state").msgpack, &ty).unwrap();
            assert_eq!(moved.get("uid").as_str(), Some("amp"), "{address}");
            assert_eq!(moved.get("name").as_str(), Some("AMP"), "{address}");
        }
        for address in ["registry.opentofu.org/hashicorp/aws", "example.com/x/grafana-fork"] {
            let resp = mov(address).await.unwrap().into_inner();
            let errs = errors(&resp.diagnostics);
            assert!(errs.len() == 1 && errs[0].summary == "Unsupported move", "{address}: {:?}", resp.diagnostics);
        }
        // Another provider's `grafana_data_source` of another shape: refused with the reason.
        let resp = mov_state("example.com/x/grafana", br#"{"id":"7","label":"x"}"#).await.unwrap().into_inner();
        let errs = errors(&resp.diagnostics);
        assert!(errs.len() == 1 && errs[0].detail.contains("has no uid, name, type"), "{:?}", resp.diagnostics);
    }
}
