//! One function per resource RPC: everything between decoding a request and encoding the
//! answer. `tfplugin` calls these and nothing else of a resource but its schemas.
//!
//! Each takes states in the form Terraform stores them and answers in that form:
//! [`Resource::working_form`] on the way in, [`Resource::stored_form`] on the way out (a
//! dashboard's hash under `store_dashboard_sha256`), the identity of every new state, the
//! import's private mark, and whether to ask for `legacy_type_system`.

use super::plan::Planned;
use super::{Ctx, DataSource, Options, PlanCtx, ReadOutcome, Resource};
use crate::diag::{AttrPath, Diagnostic, Diagnostics};
use crate::grafana::Client;
use crate::value::Value;

/// The private state an import hands to its read ([`IMPORTED`]) and that read to the import's
/// plan ([`IMPORT_READ`]): both keep the resource's working form (a dashboard's JSON model under
/// `store_dashboard_sha256`), which is what Terraform writes with `plan -generate-config-out`
/// and plans the import from; the next refresh stores the usual form and drops the mark.
pub const IMPORTED: &[u8] = br#"{"import":"imported"}"#;
pub const IMPORT_READ: &[u8] = br#"{"import":"read"}"#;

/// A state to hand back to Terraform, with its identity and private state.
#[derive(Debug)]
pub struct Answer {
    pub state: Value,
    /// None for a removed object, and for types without an identity.
    pub identity: Option<Value>,
    pub private: Vec<u8>,
    /// The state differs from the configuration by design (a stored hash): ask Terraform for
    /// SDKv2's tolerance.
    pub legacy_type_system: bool,
}

impl Answer {
    fn of(res: &dyn Resource, state: Value, private: Vec<u8>, opts: &Options) -> Answer {
        let identity = if state.is_null() { None } else { res.identity_of(&state) };
        Answer { state, identity, private, legacy_type_system: res.stores_other_than_config(opts) }
    }
}

/// ReadResource: the object as Grafana holds it; a vanished one is removed with a warning, a
/// failed read keeps the state. The read right after an import keeps the working form:
/// Terraform writes `-generate-config-out` from it (a dashboard's JSON, never its hash).
pub async fn read(
    res: &dyn Resource,
    client: &Client,
    opts: &Options,
    stored: Value,
    private: Vec<u8>,
    diags: &mut Diagnostics,
) -> Answer {
    let state = res.working_form(stored, None);
    let ctx = Ctx { client, config: &Value::Null };
    let new = match res.read(&ctx, &state, diags).await {
        ReadOutcome::Found(v) => v,
        ReadOutcome::Gone => {
            diags.push(Diagnostic::warning(
                format!("{} no longer exists in Grafana", res.type_name()),
                "It was deleted outside Terraform, so it is removed from the state; the next plan will create it \
                    again.",
            ));
            Value::Null
        }
        ReadOutcome::Failed => state,
    };
    let (new, private) = after_read(res, opts, new, private);
    Answer::of(res, new, private, opts)
}

/// A read's new state in the form it is stored in, and the private state to answer with.
fn after_read(res: &dyn Resource, opts: &Options, new: Value, private: Vec<u8>) -> (Value, Vec<u8>) {
    match private.as_slice() {
        IMPORTED => (new, IMPORT_READ.to_vec()),
        IMPORT_READ => (res.stored_form(opts, new), Vec::new()),
        _ => (res.stored_form(opts, new), private),
    }
}

/// What PlanResourceChange brings, decoded.
pub struct PlanRequest {
    pub prior: Value,
    pub proposed: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
    pub prior_identity: Value,
}

/// PlanResourceChange: the planned state (null for a destroy), what forces replacement, and the
/// identity (the prior one, unless the object is replaced). The import's plan keeps the working
/// form and ends the import's mark.
pub async fn plan(
    res: &dyn Resource,
    client: Option<&Client>,
    opts: &Options,
    req: PlanRequest,
    diags: &mut Diagnostics,
) -> (Answer, Vec<AttrPath>) {
    let prior = res.working_form(req.prior, Some(&req.config));
    let import_plan = req.prior_private == IMPORT_READ;
    let private = if import_plan { Vec::new() } else { req.prior_private };
    let (state, requires_replace, legacy_type_system) = if req.proposed.is_null() {
        (Value::Null, Vec::new(), false)
    } else {
        let ctx = PlanCtx { prior: &prior, config: &req.config, client };
        let Planned { state, requires_replace } = super::plan::plan(res, &ctx, req.proposed, diags).await;
        let state = if import_plan { state } else { res.stored_form(opts, state) };
        (state, requires_replace, res.stores_other_than_config(opts))
    };
    let keep_identity = !req.prior_identity.is_null() && requires_replace.is_empty();
    let identity = keep_identity.then_some(req.prior_identity);
    (Answer { state, identity, private, legacy_type_system }, requires_replace)
}

/// ApplyResourceChange: create, update or delete, picked from the prior and planned states.
/// A failed update keeps the prior state, a failed create leaves nothing (or, when it cannot
/// be confirmed, the partial state the resource returned, which Terraform taints).
pub async fn apply(
    res: &dyn Resource,
    client: &Client,
    opts: &Options,
    prior: Value,
    planned: Value,
    config: &Value,
    diags: &mut Diagnostics,
) -> Answer {
    let (prior, planned) = (res.working_form(prior, Some(config)), res.working_form(planned, Some(config)));
    let ctx = Ctx { client, config };
    let new = if planned.is_null() {
        res.delete(&ctx, &prior, diags).await;
        if diags.has_errors() { prior } else { Value::Null }
    } else if prior.is_null() {
        res.create(&ctx, &planned, diags).await.unwrap_or(prior)
    } else {
        res.update(&ctx, &prior, &planned, diags).await.unwrap_or(prior)
    };
    let new = res.stored_form(opts, new);
    Answer::of(res, new, Vec::new(), opts)
}

/// ReadDataSource: a lookup's state from its configuration.
pub async fn read_data(ds: &dyn DataSource, client: &Client, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
    ds.read(&Ctx { client, config }, config, diags).await
}

/// ImportResourceState: a minimal state from an import id or an identity object, marked for
/// the read that follows.
pub fn import(res: &dyn Resource, id: &str, identity: &Value, diags: &mut Diagnostics) -> Option<Answer> {
    if let Some(d) = res.refusal() {
        diags.push(d);
        return None;
    }
    let state = if identity.is_null() { res.import_id(id, diags) } else { res.import_identity(identity, diags) }?;
    let identity = res.identity_of(&state);
    Some(Answer { state, identity, private: IMPORTED.to_vec(), legacy_type_system: false })
}

/// UpgradeResourceState: a state written by an earlier schema version (or the official
/// provider) in this version's shape.
pub fn upgrade(res: &dyn Resource, version: i64, raw_json: &[u8], diags: &mut Diagnostics) -> Option<Value> {
    if raw_json.is_empty() {
        diags.push(Diagnostic::error(
            "Cannot upgrade legacy state",
            "The stored state is in the pre-0.12 flatmap format, which this provider does not read.",
        ));
        return None;
    }
    res.upgrade_state(version, raw_json, diags)
}

/// UpgradeResourceIdentity: this provider has one identity version per type.
pub fn upgrade_identity(res: &dyn Resource, version: i64, raw_json: &[u8], diags: &mut Diagnostics) -> Option<Value> {
    match res.identity_schema() {
        Some(s) if s.version == version => match Value::from_json(raw_json, &s.ty()) {
            Ok(v) => Some(v),
            Err(e) => {
                diags.push(Diagnostic::error("Could not read the stored identity", e.to_string()));
                None
            }
        },
        _ => {
            diags.push(Diagnostic::error(
                "Unsupported identity version",
                format!("{} has identity version {version}, which this provider does not know.", res.type_name()),
            ));
            None
        }
    }
}

/// MoveResourceState: a `moved` block's source, taken over as `res`'s state: from a provider
/// whose type is `grafana` (this one or the official `grafana/grafana`, under whatever address
/// it is installed: a private registry, a company namespace, a fork; a provider cannot know
/// its own address), of a type `res` accepts, and whose state has the shape of one of the two
/// (its uid, name and type).
pub fn move_state(
    res: &dyn Resource,
    source_provider: &str,
    source_type: &str,
    source_version: i64,
    raw_json: &[u8],
    source_private: Vec<u8>,
    diags: &mut Diagnostics,
) -> Option<Answer> {
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
            "moves are supported between grafana_data_source and grafana_datasource, of this provider or of \
                grafana/grafana (under any registry address)."
                .into(),
        );
        return None;
    }
    let v = res.upgrade_state(source_version, raw_json, diags)?;
    let missing: Vec<&str> = ["uid", "name", "type"].into_iter().filter(|k| v.get(k).as_str().is_none()).collect();
    if !missing.is_empty() {
        refuse(
            diags,
            format!(
                "its state has no {} as data sources of this provider and of grafana/grafana have, so it is another \
                    provider's type of the same name.",
                missing.join(", ")
            ),
        );
        return None;
    }
    let identity = res.identity_of(&v);
    Some(Answer { state: v, identity, private: source_private, legacy_type_system: false })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Resource;

    #[test]
    fn an_imported_dashboard_keeps_its_model_until_the_refresh_after_the_import() {
        let r = crate::resources::dashboard::DashboardResource;
        let opts = Options { store_dashboard_sha256: true };
        let mut state =
            Value::Object(r.schema().attributes.iter().map(|a| (a.name.to_string(), Value::Null)).collect());
        state.set("config_json", Value::string(r#"{"title":"T","uid":"u"}"#));
        state.set("uid", Value::string("u"));
        // The import's read: the model, and the mark for the plan.
        let (read, private) = after_read(&r, &opts, state.clone(), IMPORTED.to_vec());
        assert_eq!(read.get("config_json"), state.get("config_json"));
        assert_eq!(private, IMPORT_READ);
        // The next refresh: the hash, and no mark.
        let (read, private) = after_read(&r, &opts, state.clone(), IMPORT_READ.to_vec());
        assert_eq!(read.get("config_json").as_str().map(str::len), Some(64));
        assert!(private.is_empty());
        // Any other private state is kept as it is.
        let (_, private) = after_read(&r, &opts, state, b"other".to_vec());
        assert_eq!(private, b"other");
    }
}
