//! The resource lifecycle every Terraform type shares, so each resource file holds only what
//! is particular to it.
//!
//! - [`Resource`] and [`DataSource`] are the traits one file per type implements.
//! - [`plan`] turns Terraform's proposed state into a planned one: defaults, write-only values
//!   nulled, computed attributes unknown where a change may alter them (unless
//!   `use_state_for_unknown`), replacement paths, then the resource's own `modify_plan`.
//! - [`apply`] picks create, update or delete from the prior and planned states.
//! - [`read`] turns "gone" into a removal with a warning.
//!
//! Nothing here names protobuf types (that is `tfplugin`) or Grafana's wire format (that is `grafana`).

use async_trait::async_trait;

use crate::diag::{AttrPath, Diagnostic, Diagnostics};
use crate::grafana::Client;
use crate::schema::{IdentitySchema, Schema};
use crate::value::Value;

/// What a lifecycle call may use: the configured Grafana client, and for create and update the
/// configuration (the only place write-only values are, since plans and states never hold
/// them; null for read and delete).
pub struct Ctx<'a> {
    pub client: &'a Client,
    pub config: &'a Value,
}

/// Inputs to a plan: the prior state (null on create), the configuration and the planned state so far.
pub struct PlanCtx<'a> {
    pub prior: &'a Value,
    pub config: &'a Value,
    /// Present when the provider is configured with known values (it may not be during plan).
    pub client: Option<&'a Client>,
}

/// Provider-wide settings that change how resources keep their state.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// `store_dashboard_sha256`: dashboards keep a hash of their model in state, not the text.
    pub store_dashboard_sha256: bool,
}

/// A managed resource type. One implementation per file under `resources/`.
#[async_trait]
pub trait Resource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// The attributes of the typed model the resource decodes into ([`crate::model::Model::attributes`]);
    /// a test checks them against [`Resource::schema`] for every type.
    fn model_attributes(&self) -> Vec<(&'static str, crate::value::Type)>;
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// The state Terraform keeps, from the state the resource works with (identity, except
    /// for dashboards with `store_dashboard_sha256`, which keep a hash of the model). Applied
    /// to every state and plan the provider answers with.
    fn stored_form(&self, _opts: &Options, state: Value) -> Value {
        state
    }

    /// The state the resource works with, from one Terraform kept, with the configuration
    /// when the call has one (a stored hash becomes the configuration's text when it is that
    /// text's hash). Applied to every prior and planned state the provider receives.
    fn working_form(&self, stored: Value, _config: Option<&Value>) -> Value {
        stored
    }

    /// Whether the planned and new states differ from the configuration by design (a stored
    /// hash where the configuration has text): the plan and apply answers then ask Terraform
    /// for the tolerance SDKv2 providers get (`legacy_type_system`).
    fn stores_other_than_config(&self, _opts: &Options) -> bool {
        false
    }

    /// A state this provider did not write in its current form (the official provider's, or
    /// an older schema version of ours), after [`Resource::upgrade_state`] read it: drop what
    /// the resource would otherwise take on trust (a dashboard's `version`, which lets a
    /// refresh skip comparing the model).
    fn written_elsewhere(&self, state: Value) -> Value {
        state
    }

    /// Checks the configuration alone (no API calls). Unknown values must be let through.
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Runs before computed attributes are marked unknown: replace planned values that mean
    /// the same as the prior state's by the prior ones (semantic equality), so an unchanged
    /// meaning plans no change at all.
    fn normalize_planned(&self, _prior: &Value, _planned: &mut Value) {}

    /// Adjusts the plan after the generic steps (e.g. add replacement paths, plan-time checks
    /// that need the API). Returns extra attribute paths that require replacement.
    async fn modify_plan(&self, _ctx: &PlanCtx<'_>, _planned: &mut Value, _diags: &mut Diagnostics) -> Vec<AttrPath> {
        Vec::new()
    }

    /// Creates the object; returns the new state (wholly known).
    async fn create(&self, ctx: &Ctx<'_>, planned: &Value, diags: &mut Diagnostics) -> Option<Value>;
    /// Reads the object; `Ok(None)` means it no longer exists.
    async fn read(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) -> Option<Option<Value>>;
    async fn update(&self, ctx: &Ctx<'_>, prior: &Value, planned: &Value, diags: &mut Diagnostics) -> Option<Value>;
    async fn delete(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics);

    /// A minimal state from an import id; Terraform reads the object right after.
    fn import_id(&self, id: &str, diags: &mut Diagnostics) -> Option<Value>;
    /// The same from an identity object (`import { identity = {…} }`).
    fn import_identity(&self, _identity: &Value, diags: &mut Diagnostics) -> Option<Value> {
        diags.push(Diagnostic::error("Import by identity is not supported", "Import this resource by id."));
        None
    }
    /// The identity of a (wholly known) state.
    fn identity_of(&self, _state: &Value) -> Option<Value> {
        None
    }

    /// The official grafana/grafana provider's schema version for this type, when it has the
    /// type: states from it (after `terraform state replace-provider`, or a `moved` block) are
    /// upgraded by [`Resource::upgrade_state`]. This provider's own versions are above it.
    fn official_schema_version(&self) -> Option<i64> {
        None
    }

    /// Whether `moved { from = <source_type>.x  to = <this type>.y }` may move a state here
    /// (MoveResourceState); the state is then read as [`Resource::upgrade_state`] reads it.
    fn accepts_move_from(&self, _source_type: &str) -> bool {
        false
    }

    /// Upgrades raw JSON state written by an older schema `version`. The default accepts only
    /// the current version.
    fn upgrade_state(&self, version: i64, raw_json: &[u8], diags: &mut Diagnostics) -> Option<Value> {
        let schema = self.schema();
        // Older versions (the official provider's, which are below ours, and this provider's
        // earlier ones) are read as the official provider's SDKv2 state: `""` stands for an
        // optional string nobody set, and keys we do not have are dropped.
        if self.official_schema_version().is_some() && (0..schema.version).contains(&version) {
            return read_official_state(&schema, raw_json, diags).map(|v| self.written_elsewhere(v));
        }
        if version != schema.version {
            diags.push(Diagnostic::error(
                "Unsupported state version",
                format!("{} has state version {version}, this provider knows version {}. Use the provider version that wrote this state.", self.type_name(), schema.version),
            ));
            return None;
        }
        match Value::from_json(raw_json, &schema.ty()) {
            Ok(v) => Some(v),
            Err(e) => {
                diags.push(Diagnostic::error("Could not read the stored state", e.to_string()));
                None
            }
        }
    }
}

/// Reads a state the official provider (a Go SDKv2 provider) wrote: optional strings nobody
/// set are stored as `""` there and mean null here; a dashboard's folder `"0"` is the General
/// folder; attributes this provider does not have are dropped, the ones it adds are null until
/// the refresh fills them.
fn read_official_state(schema: &Schema, raw_json: &[u8], diags: &mut Diagnostics) -> Option<Value> {
    use crate::schema::Presence;
    let mut v = match Value::from_json(raw_json, &schema.ty()) {
        Ok(v) => v,
        Err(e) => {
            diags.push(Diagnostic::error("Could not read the stored state", e.to_string()));
            return None;
        }
    };
    for a in
        schema.attributes.iter().filter(|a| a.presence == Presence::Optional && a.ty() == crate::value::Type::String)
    {
        let blank = v.get(a.name).as_str().is_some_and(str::is_empty)
            || (a.name == "folder" && v.get(a.name).as_str() == Some("0"));
        if blank {
            v.set(a.name, Value::Null);
        }
    }
    Some(v)
}

/// A read-only data source type. One implementation per file under `data_sources/`.
#[async_trait]
pub trait DataSource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// As [`Resource::model_attributes`].
    fn model_attributes(&self) -> Vec<(&'static str, crate::value::Type)>;
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn read(&self, ctx: &Ctx<'_>, config: &Value, diags: &mut Diagnostics) -> Option<Value>;
}

/// The planned state and the attributes whose change forces replacement.
pub struct Planned {
    pub state: Value,
    pub requires_replace: Vec<AttrPath>,
}

/// Plans a change (not a destroy: the caller handles a null proposed state).
pub async fn plan(res: &dyn Resource, ctx: &PlanCtx<'_>, proposed: Value, diags: &mut Diagnostics) -> Planned {
    let schema = res.schema();
    let mut planned = proposed;
    for a in &schema.attributes {
        let cfg = ctx.config.get(a.name);
        if let (Some(d), true) = (&a.default, cfg.is_null()) {
            planned.set(a.name, d.clone());
        }
        if a.write_only {
            planned.set(a.name, Value::Null);
        }
    }
    let creating = ctx.prior.is_null();
    if !creating {
        res.normalize_planned(ctx.prior, &mut planned);
    }
    if creating || planned != *ctx.prior {
        for a in schema.attributes.iter().filter(|a| a.is_computed() && a.default.is_none()) {
            if !ctx.config.get(a.name).is_null() {
                continue;
            }
            let keep = a.use_state_for_unknown && !creating && !ctx.prior.get(a.name).is_null();
            let v = if keep { ctx.prior.get(a.name).clone() } else { Value::unknown() };
            planned.set(a.name, v);
        }
    }
    let mut requires_replace = Vec::new();
    if !creating {
        for a in schema.attributes.iter().filter(|a| a.requires_replace) {
            if planned.get(a.name) != ctx.prior.get(a.name) {
                requires_replace.push(AttrPath::attr(a.name));
            }
        }
    }
    requires_replace.extend(res.modify_plan(ctx, &mut planned, diags).await);
    Planned { state: planned, requires_replace }
}

/// Validates a configuration: the resource's own checks, and write-only values refused when
/// the client cannot keep them out of state.
pub fn validate_resource(res: &dyn Resource, config: &Value, write_only_allowed: bool, diags: &mut Diagnostics) {
    let schema = res.schema();
    for a in schema.attributes.iter().filter(|a| a.write_only) {
        if !write_only_allowed && !config.get(a.name).is_null() {
            diags.push(
                Diagnostic::error(
                    "Write-only attribute not supported by this Terraform",
                    format!(
                        "`{}` is write-only: its value must never be stored in state, and this Terraform or OpenTofu version cannot guarantee that. Use Terraform ≥ 1.11 or OpenTofu ≥ 1.11, or remove `{}`{}.",
                        a.name,
                        a.name,
                        // `x_wo` has a sibling `x` that works everywhere, kept in state.
                        a.name
                            .strip_suffix("_wo")
                            .filter(|alt| schema.attributes.iter().any(|b| b.name == *alt))
                            .map(|alt| format!(" and set `{alt}` instead (sensitive, but kept in state)"))
                            .unwrap_or_default()
                    ),
                )
                .at_attr(a.name),
            );
        }
    }
    res.validate(config, diags);
}

/// Applies a planned change and returns the new state (null after a delete).
pub async fn apply(
    res: &dyn Resource,
    ctx: &Ctx<'_>,
    prior: &Value,
    planned: &Value,
    diags: &mut Diagnostics,
) -> Value {
    let out = if planned.is_null() {
        res.delete(ctx, prior, diags).await;
        return if diags.has_errors() { prior.clone() } else { Value::Null };
    } else if prior.is_null() {
        res.create(ctx, planned, diags).await
    } else {
        res.update(ctx, prior, planned, diags).await
    };
    match out {
        Some(v) => v,
        // A failed update leaves the prior state; a failed create leaves nothing.
        None => prior.clone(),
    }
}

/// The private state an import hands to its read ([`IMPORTED`]) and that read to the import's
/// plan ([`IMPORT_READ`]): both keep the resource's working form (a dashboard's JSON model under
/// `store_dashboard_sha256`), which is what Terraform writes with `plan -generate-config-out`
/// and plans the import from; the next refresh stores the usual form and drops the mark.
pub const IMPORTED: &[u8] = br#"{"import":"imported"}"#;
pub const IMPORT_READ: &[u8] = br#"{"import":"read"}"#;

/// A read's new state in the form it is stored in, and the private state to answer with.
pub fn after_import_read(res: &dyn Resource, opts: &Options, new: Value, private: &[u8]) -> (Value, Vec<u8>) {
    match private {
        IMPORTED => (new, IMPORT_READ.to_vec()),
        IMPORT_READ => (res.stored_form(opts, new), Vec::new()),
        other => (res.stored_form(opts, new), other.to_vec()),
    }
}

/// A plan's planned state in the form it is stored in: the import's plan keeps the working form.
pub fn planned_form(res: &dyn Resource, opts: &Options, planned: Value, prior_private: &[u8]) -> Value {
    if prior_private == IMPORT_READ { planned } else { res.stored_form(opts, planned) }
}

/// The private state a plan answers with: the import's mark ends with the import's plan, so the
/// next refresh stores the usual form; any other is kept.
pub fn planned_private(prior_private: Vec<u8>) -> Vec<u8> {
    if prior_private == IMPORT_READ { Vec::new() } else { prior_private }
}

/// A `moved` block's source, taken over as `res`'s state: from a provider whose type is
/// `grafana` (this one or the official `grafana/grafana`, under whatever address it is installed:
/// a private registry, a company namespace, a fork; a provider cannot know its own address), of
/// a type `res` accepts, and whose state has the shape of one of the two (its uid, name and type).
pub fn move_state(
    res: &dyn Resource,
    source_provider: &str,
    source_type: &str,
    source_version: i64,
    raw_json: &[u8],
    diags: &mut Diagnostics,
) -> Option<Value> {
    let refuse = |diags: &mut Diagnostics, why: String| {
        diags.push(Diagnostic::error(
            "Unsupported move",
            format!("{} cannot be moved from {source_type} of provider {source_provider:?}: {why}", res.type_name()),
        ))
    };
    let provider_type = source_provider.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    if provider_type != "grafana" || !res.accepts_move_from(source_type) {
        refuse(
            diags,
            "moves are supported between grafana_data_source and grafana_datasource, of this provider or of grafana/grafana (under any registry address).".into(),
        );
        return None;
    }
    let v = res.upgrade_state(source_version, raw_json, diags)?;
    let missing: Vec<&str> = ["uid", "name", "type"].into_iter().filter(|k| v.get(k).as_str().is_none()).collect();
    if !missing.is_empty() {
        refuse(
            diags,
            format!(
                "its state has no {} as data sources of this provider and of grafana/grafana have, so it is another provider's type of the same name.",
                missing.join(", ")
            ),
        );
        return None;
    }
    Some(v)
}

/// Reads a resource; a vanished object becomes a null state and a warning.
pub async fn read(res: &dyn Resource, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) -> Value {
    match res.read(ctx, state, diags).await {
        Some(Some(v)) => v,
        Some(None) => {
            diags.push(Diagnostic::warning(
                format!("{} no longer exists in Grafana", res.type_name()),
                "It was deleted outside Terraform, so it is removed from the state; the next plan will create it again.".to_string(),
            ));
            Value::Null
        }
        None => state.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Attribute;

    #[test]
    fn an_imported_dashboard_keeps_its_model_until_the_refresh_after_the_import() {
        let r = crate::resources::dashboard::DashboardResource;
        let opts = Options { store_dashboard_sha256: true };
        let mut state =
            Value::Object(r.schema().attributes.iter().map(|a| (a.name.to_string(), Value::Null)).collect());
        state.set("config_json", Value::string(r#"{"title":"T","uid":"u"}"#));
        state.set("uid", Value::string("u"));
        // The import's read: the model, and the mark for the plan.
        let (read, private) = after_import_read(&r, &opts, state.clone(), IMPORTED);
        assert_eq!(read.get("config_json"), state.get("config_json"));
        assert_eq!(private, IMPORT_READ);
        // The next refresh: the hash, and no mark.
        let (read, private) = after_import_read(&r, &opts, state.clone(), IMPORT_READ);
        assert_eq!(read.get("config_json").as_str().map(str::len), Some(64));
        assert!(private.is_empty());
        // Any other private state is kept as it is.
        let (_, private) = after_import_read(&r, &opts, state, b"other");
        assert_eq!(private, b"other");
    }

    /// A resource with one attribute of each plan behaviour.
    struct Probe;

    #[async_trait]
    impl Resource for Probe {
        fn type_name(&self) -> &'static str {
            "probe"
        }
        fn model_attributes(&self) -> Vec<(&'static str, crate::value::Type)> {
            Vec::new()
        }
        fn schema(&self) -> Schema {
            Schema::new(
                "probe",
                vec![
                    Attribute::string("name").required(),
                    Attribute::string("uid").optional_computed().requires_replace().use_state_for_unknown(),
                    Attribute::string("url").computed(),
                    Attribute::bool("flag").default(Value::Bool(false)),
                    Attribute::string("secret").optional().sensitive().write_only(),
                ],
            )
        }
        async fn create(&self, _: &Ctx<'_>, _: &Value, _: &mut Diagnostics) -> Option<Value> {
            None
        }
        async fn read(&self, _: &Ctx<'_>, _: &Value, _: &mut Diagnostics) -> Option<Option<Value>> {
            None
        }
        async fn update(&self, _: &Ctx<'_>, _: &Value, _: &Value, _: &mut Diagnostics) -> Option<Value> {
            None
        }
        async fn delete(&self, _: &Ctx<'_>, _: &Value, _: &mut Diagnostics) {}
        fn import_id(&self, _: &str, _: &mut Diagnostics) -> Option<Value> {
            None
        }
    }

    fn obj(name: &str, uid: Value, url: Value, flag: Value, secret: Value) -> Value {
        Value::object([("name", Value::string(name)), ("uid", uid), ("url", url), ("flag", flag), ("secret", secret)])
    }

    fn run_plan(prior: &Value, config: &Value, proposed: Value) -> Planned {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let ctx = PlanCtx { prior, config, client: None };
        rt.block_on(plan(&Probe, &ctx, proposed, &mut Diagnostics::default()))
    }

    #[test]
    fn create_marks_computed_unknown_applies_defaults_and_nulls_write_only() {
        let config = obj("a", Value::Null, Value::Null, Value::Null, Value::string("s3cret"));
        let p = run_plan(&Value::Null, &config, config.clone());
        assert_eq!(p.state.get("uid"), &Value::unknown());
        assert_eq!(p.state.get("url"), &Value::unknown());
        assert_eq!(p.state.get("flag"), &Value::Bool(false));
        assert_eq!(p.state.get("secret"), &Value::Null, "a write-only value must never be planned into state");
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn no_change_keeps_prior_state_exactly() {
        let prior = obj("a", Value::string("u1"), Value::string("http://x/u1"), Value::Bool(false), Value::Null);
        let config = obj("a", Value::Null, Value::Null, Value::Null, Value::Null);
        let p = run_plan(&prior, &config, prior.clone());
        assert_eq!(p.state, prior);
    }

    #[test]
    fn update_keeps_uid_from_state_but_recomputes_url() {
        let prior = obj("a", Value::string("u1"), Value::string("http://x/u1/a"), Value::Bool(false), Value::Null);
        let config = obj("b", Value::Null, Value::Null, Value::Null, Value::Null);
        let proposed = obj("b", Value::string("u1"), Value::string("http://x/u1/a"), Value::Bool(false), Value::Null);
        let p = run_plan(&prior, &config, proposed);
        assert_eq!(p.state.get("uid"), &Value::string("u1"));
        assert_eq!(p.state.get("url"), &Value::unknown());
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn a_configured_uid_change_requires_replacement() {
        let prior = obj("a", Value::string("u1"), Value::string("http://x"), Value::Bool(false), Value::Null);
        let config = obj("a", Value::string("u2"), Value::Null, Value::Null, Value::Null);
        let proposed = obj("a", Value::string("u2"), Value::string("http://x"), Value::Bool(false), Value::Null);
        let p = run_plan(&prior, &config, proposed);
        assert_eq!(p.requires_replace, vec![AttrPath::attr("uid")]);
    }

    #[test]
    fn write_only_values_are_refused_for_clients_without_the_capability() {
        let config = obj("a", Value::Null, Value::Null, Value::Null, Value::string("s3cret"));
        let mut d = Diagnostics::default();
        validate_resource(&Probe, &config, false, &mut d);
        assert!(d.has_errors());
        assert_eq!(d.0[0].path, Some(AttrPath::attr("secret")));
        assert!(!d.0[0].detail.contains("s3cret"), "the secret leaked into the diagnostic");
        let mut d = Diagnostics::default();
        validate_resource(&Probe, &config, true, &mut d);
        assert!(!d.has_errors());
    }

    #[test]
    fn state_of_the_current_version_upgrades_from_json() {
        let mut d = Diagnostics::default();
        let v = Probe.upgrade_state(0, br#"{"name":"a","uid":"u","flag":true}"#, &mut d).unwrap();
        assert_eq!(v.get("uid"), &Value::string("u"));
        assert_eq!(v.get("url"), &Value::Null);
        assert!(Probe.upgrade_state(7, b"{}", &mut d).is_none());
        assert!(d.0[0].summary.contains("Unsupported state version"));
    }
}
