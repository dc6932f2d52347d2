//! The resource lifecycle every Terraform type shares, so each resource file holds only what
//! is particular to it: a schema, four short CRUD steps, import, helpers.
//!
//! - [`Resource`] and [`DataSource`] are the traits one file per type implements.
//! - [`lifecycle`] is the one owner of everything between the protocol and a resource: one
//!   function per RPC (`read`, `plan`, `apply`, `import`, `upgrade`, `move_state`), which
//!   converts between the stored and working forms, computes identities, keeps the import's
//!   private mark and says when to ask for `legacy_type_system`. `tfplugin` only decodes,
//!   calls one of them and encodes.
//! - [`plan`] is the plan pipeline: defaults, write-only values nulled, computed attributes
//!   unknown where a change may alter them (unless `use_state_for_unknown`), in nested blocks
//!   too, replacement paths, then the resource's own `modify_plan`.
//! - [`list`] is `terraform query`: paging a type's listing, reading whole objects with the
//!   type's own read, and the configuration generated from a listed object.
//! - [`outcome`] holds the beats every type's CRUD repeats: what a read found
//!   ([`ReadOutcome`], a 404 meaning gone), a create confirmed after a lost answer
//!   ([`outcome::confirm_create`]), a delete's outcome.
//!
//! Nothing here names protobuf types (that is `tfplugin`) or Grafana's wire format (that is `grafana`).

pub mod lifecycle;
pub mod list;
pub mod outcome;
pub mod plan;

pub use list::{ListMemo, Listed, Lister, Page};
pub use outcome::ReadOutcome;
pub use plan::validate_resource;

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

    /// Why every configuration of this type is refused, for a type served only to say what to
    /// use instead (`grafana_user`: AMG's users come from single sign-on). The framework
    /// refuses it at validate and at import, before any call.
    fn refusal(&self) -> Option<Diagnostic> {
        None
    }

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
    /// Reads the object: found (the new state), gone (a 404: [`lifecycle::read`] removes it
    /// with a warning) or failed (a diagnostic says why; the state is kept).
    async fn read(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) -> ReadOutcome;
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

    /// How `terraform query` lists this type (Terraform ≥ 1.13); None: it is not listed.
    /// Every managed type with an identity should have one.
    fn lister(&self) -> Option<&'static dyn Lister> {
        None
    }
    /// The type's own touches to the configuration generated from `state` (GenerateResourceConfig),
    /// after the generic ones of [`list::generate`]: drop what a person would not write, warn
    /// about what they must add.
    fn generated_config(&self, config: Value, _state: &Value, _diags: &mut Diagnostics) -> Value {
        config
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
                format!(
                    "{} has state version {version}, this provider knows version {}. Use the provider version that \
                        wrote this state.",
                    self.type_name(),
                    schema.version
                ),
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

/// What an ephemeral resource's open gives Terraform: the result, which Terraform never
/// stores in state or plan, and the private bytes it hands back at close.
pub struct Opened {
    pub result: Value,
    pub private: Vec<u8>,
}

/// What an ephemeral resource may use besides its configuration.
pub struct EphemeralCtx<'a> {
    /// The provider's own AMG-native auth settings, when it uses AMG-native auth.
    pub amg: Option<&'a crate::amg::Settings>,
}

/// An ephemeral resource type (Terraform 1.10 and later, OpenTofu 1.11): opened for a run,
/// its result never in state or plan, closed at the end of the run. One implementation per
/// file under `ephemeral/`.
#[async_trait]
pub trait EphemeralResource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// As [`Resource::model_attributes`].
    fn model_attributes(&self) -> Vec<(&'static str, crate::value::Type)>;
    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}
    async fn open(&self, ctx: &EphemeralCtx<'_>, config: &Value, diags: &mut Diagnostics) -> Option<Opened>;
    /// Ends what `open` made, from the private bytes it returned.
    async fn close(&self, private: &[u8], diags: &mut Diagnostics);
}
