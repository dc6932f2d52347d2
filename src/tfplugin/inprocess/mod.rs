//! The in-process protocol harness: drives [`Service`] with msgpack values as Terraform does
//! (configure, validate, plan, apply, read, import, upgrade, move), against a real `amg-local`,
//! without a Terraform process. Edge cases of every type's lifecycle live here, where each
//! costs milliseconds; `tests/it/` keeps one real-Terraform lifecycle per type and version.
//!
//! The harness does what Terraform core does between the calls: the proposed new state (the
//! configuration, with computed attributes it leaves null taken from the prior state), the
//! checks that the planned and applied states keep what the configuration set, and the state
//! it stores (the apply's new state, with the private state and identity beside it).

use std::sync::Arc;

use tonic::Request;

use super::pb::provider_server::Provider as _;
use super::{Service, pb};
use crate::provider::Provider;
use crate::schema::Schema;
use crate::value::{Type, Value};

/// A provider configured for an `amg-local` started for the test.
pub struct Harness {
    pub svc: Service,
    pub emu: amg_local::harness::Running,
}

/// What Terraform keeps of a resource between calls.
#[derive(Clone, Debug)]
pub struct Stored {
    pub state: Value,
    pub private: Vec<u8>,
    pub identity: Option<pb::ResourceIdentityData>,
}

/// The diagnostics of one call, by severity, as `summary: detail` (and the path, when set).
#[derive(Debug, Default)]
pub struct Said {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

impl Said {
    fn of(diags: &[pb::Diagnostic]) -> Said {
        let mut s = Said::default();
        for d in diags {
            let path = d.attribute.as_ref().map(|p| format!(" (at {})", path_text(p))).unwrap_or_default();
            let line = format!("{}: {}{path}", d.summary, d.detail);
            if d.severity == pb::diagnostic::Severity::Error as i32 {
                s.errors.push(line)
            } else {
                s.warnings.push(line)
            }
        }
        s
    }
    #[track_caller]
    pub fn assert_clean(&self) {
        assert!(self.errors.is_empty() && self.warnings.is_empty(), "{self:?}");
    }
}

fn path_text(p: &pb::AttributePath) -> String {
    use pb::attribute_path::step::Selector;
    p.steps
        .iter()
        .map(|s| match &s.selector {
            Some(Selector::AttributeName(a)) => format!(".{a}"),
            Some(Selector::ElementKeyString(k)) => format!("[{k:?}]"),
            Some(Selector::ElementKeyInt(i)) => format!("[{i}]"),
            None => String::new(),
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_string()
}

fn dynamic(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue { msgpack: v.to_msgpack(ty), json: Vec::new() })
}

fn decode(dv: Option<pb::DynamicValue>, ty: &Type) -> Value {
    dv.map(|d| Value::from_msgpack(&d.msgpack, ty).expect("the provider answered a value of its schema"))
        .unwrap_or(Value::Null)
}

impl Harness {
    /// amg-local with `args`, and the provider configured in URL mode with its admin token.
    pub async fn start(args: &[&str]) -> Harness {
        let h = Harness::unconfigured(args);
        let url = Value::string(h.emu.grafana_url.clone());
        h.configure(&[("url", url), ("auth", Value::string(h.emu.admin_token.clone()))]).await.assert_clean();
        h
    }

    /// amg-local with `args`, and a provider Terraform has not configured yet.
    pub fn unconfigured(args: &[&str]) -> Harness {
        Harness { svc: Service::new(Arc::new(Provider::new())), emu: amg_local::harness::Running::start(args) }
    }

    /// ValidateProviderConfig of a provider block with `set`, every other argument null.
    pub async fn validate_provider(&self, set: &[(&str, Value)]) -> Said {
        let config = self.provider_config(set);
        let req = pb::validate_provider_config::Request { config: dynamic(&config, &crate::provider::schema().ty()) };
        Said::of(&self.svc.validate_provider_config(Request::new(req)).await.unwrap().into_inner().diagnostics)
    }

    /// ConfigureProvider with a provider block of `set`, every other argument null.
    pub async fn configure(&self, set: &[(&str, Value)]) -> Said {
        let config = self.provider_config(set);
        let req = pb::configure_provider::Request {
            terraform_version: "1.15.5".into(),
            config: dynamic(&config, &crate::provider::schema().ty()),
            client_capabilities: Some(capabilities()),
        };
        Said::of(&self.svc.configure_provider(Request::new(req)).await.unwrap().into_inner().diagnostics)
    }

    /// A provider block with `set` and every other attribute null.
    fn provider_config(&self, set: &[(&str, Value)]) -> Value {
        filled(&crate::provider::schema(), set)
    }

    pub fn schema(&self, type_name: &str) -> Schema {
        self.svc.provider.resource(type_name).unwrap_or_else(|| panic!("no resource {type_name}")).schema()
    }

    /// A configuration of `type_name`: `set`, every other attribute null.
    pub fn config(&self, type_name: &str, set: &[(&str, Value)]) -> Value {
        filled(&self.schema(type_name), set)
    }

    pub async fn validate(&self, type_name: &str, config: &Value) -> Said {
        let req = pb::validate_resource_config::Request {
            type_name: type_name.into(),
            config: dynamic(config, &self.schema(type_name).ty()),
            client_capabilities: Some(pb::ClientCapabilities {
                deferral_allowed: false,
                write_only_attributes_allowed: true,
            }),
        };
        Said::of(&self.svc.validate_resource_config(Request::new(req)).await.unwrap().into_inner().diagnostics)
    }

    /// PlanResourceChange from what Terraform keeps (`None` to create) and a configuration
    /// (`Null` to destroy): the planned state, the paths that force replacement, the diagnostics.
    pub async fn plan(
        &self,
        type_name: &str,
        prior: Option<&Stored>,
        config: &Value,
    ) -> (Value, Vec<String>, Stored, Said) {
        let schema = self.schema(type_name);
        let ty = schema.ty();
        let prior_state = prior.map_or(Value::Null, |p| p.state.clone());
        let proposed = if config.is_null() { Value::Null } else { proposed_new(&schema, &prior_state, config) };
        let req = pb::plan_resource_change::Request {
            type_name: type_name.into(),
            prior_state: dynamic(&prior_state, &ty),
            proposed_new_state: dynamic(&proposed, &ty),
            config: dynamic(config, &ty),
            prior_private: prior.map(|p| p.private.clone()).unwrap_or_default(),
            provider_meta: None,
            client_capabilities: Some(capabilities()),
            prior_identity: prior.and_then(|p| p.identity.clone()),
        };
        let resp = self.svc.plan_resource_change(Request::new(req)).await.unwrap().into_inner();
        let planned = decode(resp.planned_state, &ty);
        let replace = resp.requires_replace.iter().map(path_text).collect();
        let carried = Stored { state: planned.clone(), private: resp.planned_private, identity: resp.planned_identity };
        (planned, replace, carried, Said::of(&resp.diagnostics))
    }

    /// ApplyResourceChange of a plan's answer.
    pub async fn apply(
        &self,
        type_name: &str,
        prior: Option<&Stored>,
        planned: &Stored,
        config: &Value,
    ) -> (Stored, Said) {
        let ty = self.schema(type_name).ty();
        let prior_state = prior.map_or(Value::Null, |p| p.state.clone());
        let req = pb::apply_resource_change::Request {
            type_name: type_name.into(),
            prior_state: dynamic(&prior_state, &ty),
            planned_state: dynamic(&planned.state, &ty),
            config: dynamic(config, &ty),
            planned_private: planned.private.clone(),
            provider_meta: None,
            planned_identity: planned.identity.clone(),
        };
        let resp = self.svc.apply_resource_change(Request::new(req)).await.unwrap().into_inner();
        let state = decode(resp.new_state, &ty);
        (Stored { state, private: resp.private, identity: resp.new_identity }, Said::of(&resp.diagnostics))
    }

    /// Plan and apply, as `terraform apply` does; the apply's answer must keep what the plan
    /// knew (Terraform's "Provider produced inconsistent result" check).
    pub async fn plan_apply(&self, type_name: &str, prior: Option<&Stored>, config: &Value) -> (Stored, Said) {
        let (planned, _, carried, said) = self.plan(type_name, prior, config).await;
        assert!(said.errors.is_empty(), "plan: {said:?}");
        let (stored, said) = self.apply(type_name, prior, &carried, config).await;
        if said.errors.is_empty() {
            assert_consistent(&planned, &stored.state);
        }
        (stored, said)
    }

    /// ReadResource (a refresh): the new state Terraform would keep, `Null` when removed.
    pub async fn read(&self, type_name: &str, stored: &Stored) -> (Stored, Said) {
        let ty = self.schema(type_name).ty();
        let req = pb::read_resource::Request {
            type_name: type_name.into(),
            current_state: dynamic(&stored.state, &ty),
            private: stored.private.clone(),
            provider_meta: None,
            client_capabilities: Some(capabilities()),
            current_identity: stored.identity.clone(),
        };
        let resp = self.svc.read_resource(Request::new(req)).await.unwrap().into_inner();
        let state = decode(resp.new_state, &ty);
        (Stored { state, private: resp.private, identity: resp.new_identity }, Said::of(&resp.diagnostics))
    }

    /// ImportResourceState by id, then the read Terraform does right after.
    pub async fn import(&self, type_name: &str, id: &str) -> (Option<Stored>, Said) {
        let ty = self.schema(type_name).ty();
        let req = pb::import_resource_state::Request {
            type_name: type_name.into(),
            id: id.into(),
            client_capabilities: Some(capabilities()),
            identity: None,
        };
        let resp = self.svc.import_resource_state(Request::new(req)).await.unwrap().into_inner();
        let said = Said::of(&resp.diagnostics);
        let Some(imported) = resp.imported_resources.into_iter().next() else { return (None, said) };
        let stored =
            Stored { state: decode(imported.state, &ty), private: imported.private, identity: imported.identity };
        // Terraform keeps nothing of an import whose read fails.
        let (read, said) = self.read(type_name, &stored).await;
        (if said.errors.is_empty() { Some(read) } else { None }, said)
    }

    /// A destroy: the plan of a null configuration, then its apply.
    pub async fn destroy(&self, type_name: &str, prior: &Stored) -> Said {
        let (planned, _, carried, said) = self.plan(type_name, Some(prior), &Value::Null).await;
        assert!(said.errors.is_empty() && planned.is_null(), "plan: {planned:?} {said:?}");
        let (after, said) = self.apply(type_name, Some(prior), &carried, &Value::Null).await;
        if said.errors.is_empty() {
            assert!(after.state.is_null(), "a destroy left {after:?}");
        }
        said
    }

    /// ReadDataSource of a lookup's configuration (`set`, every other attribute null).
    pub async fn read_data(&self, type_name: &str, set: &[(&str, Value)]) -> (Value, Said) {
        let schema = self.svc.provider.data_source(type_name).unwrap_or_else(|| panic!("no {type_name}")).schema();
        let config = filled(&schema, set);
        let ty = schema.ty();
        let req =
            pb::validate_data_resource_config::Request { type_name: type_name.into(), config: dynamic(&config, &ty) };
        let said = Said::of(
            &self.svc.validate_data_resource_config(Request::new(req)).await.unwrap().into_inner().diagnostics,
        );
        if !said.errors.is_empty() {
            return (Value::Null, said);
        }
        let req = pb::read_data_source::Request {
            type_name: type_name.into(),
            config: dynamic(&config, &ty),
            provider_meta: None,
            client_capabilities: Some(capabilities()),
        };
        let resp = self.svc.read_data_source(Request::new(req)).await.unwrap().into_inner();
        (decode(resp.state, &ty), Said::of(&resp.diagnostics))
    }

    /// ValidateEphemeralResourceConfig, then (when valid) OpenEphemeralResource of a
    /// configuration with `set`: the result and the private bytes for close.
    pub async fn open_ephemeral(&self, type_name: &str, set: &[(&str, Value)]) -> (Value, Option<Vec<u8>>, Said) {
        let schema =
            self.svc.provider.ephemeral_resource(type_name).unwrap_or_else(|| panic!("no {type_name}")).schema();
        let config = filled(&schema, set);
        let ty = schema.ty();
        let req = pb::validate_ephemeral_resource_config::Request {
            type_name: type_name.into(),
            config: dynamic(&config, &ty),
        };
        let resp = self.svc.validate_ephemeral_resource_config(Request::new(req)).await.unwrap().into_inner();
        let said = Said::of(&resp.diagnostics);
        if !said.errors.is_empty() {
            return (Value::Null, None, said);
        }
        let req = pb::open_ephemeral_resource::Request {
            type_name: type_name.into(),
            config: dynamic(&config, &ty),
            client_capabilities: Some(capabilities()),
        };
        let resp = self.svc.open_ephemeral_resource(Request::new(req)).await.unwrap().into_inner();
        (decode(resp.result, &ty), resp.private, Said::of(&resp.diagnostics))
    }

    /// MoveResourceState (a `moved` block across types or providers) of a raw JSON state.
    pub async fn move_state(&self, from: (&str, &str, i64), json: &str, target: &str) -> (Value, Said) {
        let (source_provider_address, source_type_name, source_schema_version) = from;
        let req = pb::move_resource_state::Request {
            source_provider_address: source_provider_address.into(),
            source_type_name: source_type_name.into(),
            source_schema_version,
            source_state: Some(pb::RawState { json: json.as_bytes().to_vec(), flatmap: Default::default() }),
            target_type_name: target.into(),
            source_private: Vec::new(),
            source_identity: None,
            source_identity_schema_version: 0,
        };
        let resp = self.svc.move_resource_state(Request::new(req)).await.unwrap().into_inner();
        (decode(resp.target_state, &self.schema(target).ty()), Said::of(&resp.diagnostics))
    }

    /// UpgradeResourceState of a raw JSON state written at `version`.
    pub async fn upgrade(&self, type_name: &str, version: i64, json: &str) -> (Value, Said) {
        let ty = self.schema(type_name).ty();
        let req = pb::upgrade_resource_state::Request {
            type_name: type_name.into(),
            version,
            raw_state: Some(pb::RawState { json: json.as_bytes().to_vec(), flatmap: Default::default() }),
        };
        let resp = self.svc.upgrade_resource_state(Request::new(req)).await.unwrap().into_inner();
        (decode(resp.upgraded_state, &ty), Said::of(&resp.diagnostics))
    }

    /// A state the official provider wrote (`json`, at its schema `version`), upgraded and
    /// refreshed as Terraform does after `terraform state replace-provider`.
    pub async fn upgraded_and_read(&self, type_name: &str, version: i64, json: &serde_json::Value) -> Stored {
        let (upgraded, said) = self.upgrade(type_name, version, &json.to_string()).await;
        said.assert_clean();
        let (read, said) = self.read(type_name, &Stored { state: upgraded, private: Vec::new(), identity: None }).await;
        said.assert_clean();
        read
    }

    /// The emulator's counters (`GET /_amg-local/stats`).
    pub async fn stats(&self) -> serde_json::Value {
        self.emu.stats()
    }

    /// A call on the workspace's Grafana API as its admin: (status, JSON body); status 0 when
    /// the emulator dropped the answer (`--drop-rate`: the write was done).
    pub async fn grafana(&self, method: &str, path: &str, body: Option<serde_json::Value>) -> (u16, serde_json::Value) {
        self.grafana_with(method, path, body, &[]).await
    }

    /// [`Harness::grafana`] with extra request headers.
    pub async fn grafana_with(
        &self,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
        headers: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        let url = format!("{}{path}", self.emu.grafana_url);
        let body = body.map(|b| b.to_string().into_bytes());
        match amg_local::harness::call_with(method, &url, Some(&self.emu.admin_token), body.as_deref(), headers) {
            Ok((status, _, raw)) => (status, serde_json::from_slice(&raw).unwrap_or(serde_json::Value::Null)),
            Err(_) => (0, serde_json::Value::Null),
        }
    }
}

/// A string value, as configurations are mostly written.
fn s(v: &str) -> Value {
    Value::string(v)
}

fn capabilities() -> pb::ClientCapabilities {
    pb::ClientCapabilities { deferral_allowed: false, write_only_attributes_allowed: true }
}

/// A value of `schema` with `set`, every other attribute null (list and set blocks empty).
fn filled(schema: &Schema, set: &[(&str, Value)]) -> Value {
    let mut v = nulls(schema);
    for (k, x) in set {
        v.set(k, x.clone());
    }
    v
}

/// A value of `schema` with every attribute null (list and set blocks empty).
fn nulls(schema: &Schema) -> Value {
    nulls_of(&schema.attributes, &schema.blocks)
}

/// An object of these attributes and blocks: every attribute null, list and set blocks empty.
fn nulls_of(attributes: &[crate::schema::Attribute], blocks: &[crate::schema::Block]) -> Value {
    let attrs = attributes.iter().map(|a| (a.name.to_string(), Value::Null));
    let blocks = blocks.iter().map(|b| {
        let empty = match b.nesting {
            crate::schema::BlockNesting::Single => Value::Null,
            crate::schema::BlockNesting::List => Value::List(Vec::new()),
            crate::schema::BlockNesting::Set => Value::Set(Vec::new()),
        };
        (b.name.to_string(), empty)
    });
    Value::Object(attrs.chain(blocks).collect())
}

/// Terraform's proposed new state (`objchange.ProposedNew`, top level): the configuration's
/// values, and for computed attributes it leaves null the prior state's.
fn proposed_new(schema: &Schema, prior: &Value, config: &Value) -> Value {
    let mut v = config.clone();
    for a in schema.attributes.iter().filter(|a| a.is_computed() && config.get(a.name).is_null()) {
        v.set(a.name, prior.get(a.name).clone());
    }
    v
}

/// Terraform's check of an apply against its plan: every known planned value is the new one.
#[track_caller]
fn assert_consistent(planned: &Value, new: &Value) {
    match (planned, new) {
        (Value::Unknown(_), _) => {}
        (Value::Object(p), Value::Object(n)) => {
            for (k, pv) in p {
                let nv = n.get(k).unwrap_or(&Value::Null);
                if pv.is_wholly_known() {
                    assert_eq!(pv, nv, "Provider produced inconsistent result: .{k} planned {pv:?}, applied {nv:?}");
                } else {
                    assert_consistent(pv, nv);
                }
            }
        }
        (Value::List(p), Value::List(n)) if !planned.is_wholly_known() => {
            assert_eq!(p.len(), n.len(), "Provider produced inconsistent result: list of {} planned", p.len());
            p.iter().zip(n).for_each(|(pe, ne)| assert_consistent(pe, ne));
        }
        // Terraform cannot correlate set elements with unknowns in them: each planned element
        // needs an applied one it is compatible with (`assertSetValuesCompatible`).
        (Value::Set(p), Value::Set(n)) if !planned.is_wholly_known() => {
            assert_eq!(
                p.len(),
                n.len(),
                "Provider produced inconsistent result: set of {} planned, {} applied",
                p.len(),
                n.len()
            );
            for pe in p {
                assert!(
                    n.iter().any(|ne| compatible(pe, ne)),
                    "Provider produced inconsistent result: {pe:?} in {n:?}"
                );
            }
        }
        (p, n) => assert_eq!(p, n, "Provider produced inconsistent result"),
    }
}

/// Whether `new` is what `planned` allows (unknowns allow anything).
fn compatible(planned: &Value, new: &Value) -> bool {
    match (planned, new) {
        (Value::Unknown(_), _) => true,
        (Value::Object(p), Value::Object(n)) => {
            p.iter().all(|(k, pv)| compatible(pv, n.get(k).unwrap_or(&Value::Null)))
        }
        (Value::List(p), Value::List(n)) | (Value::Set(p), Value::Set(n)) => {
            p.len() == n.len() && p.iter().zip(n).all(|(a, b)| compatible(a, b))
        }
        (p, n) => p == n,
    }
}

// Each type's lifecycle edge cases, driven as Terraform drives them, in milliseconds.
mod access;
mod contact_point;
mod dashboard;
mod data_source;
mod ephemeral;
mod folder;
mod list;
mod message_template;
mod mute_timing;
mod notification_policy;
mod provider;
mod rule_group;
mod types;
