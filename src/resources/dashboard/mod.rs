//! `grafana_dashboard`: a dashboard from its JSON model, with plans that mean something.
//!
//! What Grafana adds or rewrites (`id`, `version`, a trimmed title, key order, whitespace) never
//! shows as a change; the user's text stays in state while its meaning is unchanged (the rules
//! are in [`crate::dashboard_json`]). A `uid` change inside `config_json` is planned as an update
//! that makes a new dashboard and deletes the old one (never as a replacement: when
//! `config_json` is unknown at plan time, Terraform's apply-time plan could not turn an update
//! into a replacement consistently). A dashboard without a `uid` gets a random one at create
//! time, sent with the create, so a create whose answer is lost is confirmed by reading it back,
//! and two resources never share a dashboard. `overwrite` is never sent to Grafana as such: on
//! 10.4 it would let a save take over another dashboard with the same title.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use crate::dashboard_json::{self as dj, About, Invalid};
use crate::diag::{AttrPath, Diagnostic, Diagnostics, too_long};
use crate::framework::outcome::{Created, confirm_create, delete_outcome, read_outcome, unconfirmed_create};
use crate::framework::{Ctx, Lister, Options, PlanCtx, ReadOutcome, Resource};
use crate::grafana::{self, MAX_VERSION_MESSAGE};
use crate::model::{Attr, Model};
use crate::resources::{
    check_org_id, check_uid, folder_uid_of, id_attributes, identity_uid, import_uid, uid_identity, uid_identity_schema,
};
use crate::schema::{Attribute, IdentitySchema, Schema};
use crate::value::{Type, Value};

mod list;
pub use list::DashboardList;
mod save;

use save::{Wanted, save_error, save_error_named, state_after_save, state_from_remote, uid_taken};

pub struct DashboardResource;

crate::model! {
    /// `grafana_dashboard`'s attributes, as the schema below declares them.
    pub struct DashboardModel {
        config_json: String,
        folder: String,
        overwrite: bool,
        message: String,
        inputs: BTreeMap<String, String>,
        uid: String,
        dashboard_id: i64,
        url: String,
        version: i64,
        id: String,
        org_id: String,
    }
}

impl DashboardModel {
    /// What Grafana assigns to a new dashboard, unknown until apply: the uid may change, and a
    /// new uid is a new dashboard.
    fn forget_grafana_assigned(&mut self) {
        self.dashboard_id = Attr::unknown();
        self.id = Attr::unknown();
        self.url = Attr::unknown();
        self.version = Attr::unknown();
    }

    /// The inputs' values (none when null or unknown).
    fn input_values(&self) -> BTreeMap<String, String> {
        self.inputs.known().cloned().unwrap_or_default()
    }
}

#[async_trait]
impl Resource for DashboardResource {
    fn type_name(&self) -> &'static str {
        "grafana_dashboard"
    }

    fn schema(&self) -> Schema {
        let mut s = Schema::new(
            "A Grafana dashboard, from its JSON model (an export from Grafana, or `jsonencode(...)`). Changes Grafana \
                makes on save (`id`, `version`, key order, whitespace) never show as a diff; any change updates the \
                dashboard in place, keeping its id, panel ids and history, except a change of the `uid` inside \
                `config_json`: Grafana cannot change a uid, so that update creates a new dashboard under the new uid \
                and deletes the old one (the plan warns). On Grafana 10.4 titles are unique per folder, and a \
                dashboard may not have the title of any folder, the one holding it included (titles compared as URL \
                slugs): the plan cannot see other resources' titles, so apply says which rule Grafana applied.",
            vec![
                Attribute::string("config_json").required().describe(
                    "The dashboard's JSON model. Must be a JSON object with a non-blank `title`; `uid`, if set, is \
                        letters, digits, `-` and `_`, at most 40 characters. `id` and `version` are ignored. \
                        `__inputs` and `__requires` from Grafana's export dialog are understood: see `inputs`.",
                ),
                Attribute::string("folder").optional().describe(
                    "The folder holding the dashboard: its uid, or `<orgID>:<uid>` as the official provider's \
                        `grafana_folder.x.id` is (both name the same folder and plan no change); unset for the General \
                        folder. Changing it moves the dashboard in place.",
                ),
                Attribute::bool("overwrite").default(Value::Bool(false)).describe(
                    "When `true`, take over a dashboard that already has this uid, and save updates even if the \
                        dashboard changed in Grafana since Terraform read it. Never reaches a dashboard with another \
                        uid: a title already used in the folder (Grafana 10.4) is always an error naming that \
                        dashboard. Defaults to `false`: both cases are errors that say what to do.",
                ),
                Attribute::string("message").optional().describe(
                    "A version message recorded with each save, at most 500 characters. Grafana does not return it \
                        when the dashboard is read, so after an import the first apply records it with a save.",
                ),
                Attribute::of("inputs", Type::map(Type::String)).optional().describe(
                    "Values for the inputs an exported dashboard declares in `__inputs`, by name, e.g. `{ \
                        DS_PROMETHEUS = \"amp-prod\" }`. Every `${NAME}` placeholder is replaced before upload, as \
                        Grafana's import dialog does. Every declared input must be set, except a `constant` input with \
                        a `value`, which defaults to it as in Grafana's import dialog; only declared inputs may be \
                        set.",
                ),
                Attribute::string("uid").computed().describe(
                    "The dashboard's uid: the one in `config_json`, or, when it has none, one the provider chooses \
                        when it creates the dashboard (`tf` and 24 random hex digits) and keeps from then on.",
                ),
                Attribute::number("dashboard_id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("Grafana's numeric id of the dashboard (deprecated by Grafana in favour of `uid`)."),
                Attribute::string("url").computed().describe("The dashboard's full URL in Grafana."),
                Attribute::number("version")
                    .computed()
                    .describe("The dashboard's version in Grafana; it grows by one with each save."),
            ]
            .into_iter()
            .chain(id_attributes("dashboard"))
            .collect(),
        );
        // 1 is the official provider's version; 0 this provider's before it took its state.
        s.version = 2;
        s
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        DashboardModel::attributes()
    }

    fn official_schema_version(&self) -> Option<i64> {
        Some(1)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(uid_identity_schema("The dashboard's uid."))
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let config = DashboardModel::decode(config);
        let model = config.config_json.as_str().map(dj::check);
        if let Some(Err(e)) = &model {
            diags.push(invalid(e));
        }
        if let Some(why) = config.message.as_str().and_then(|m| too_long("`message`", m, MAX_VERSION_MESSAGE)) {
            diags.push(Diagnostic::error("Message too long", why).at_attr("message"));
        }
        check_org_id(&config.org_id, diags);
        if let Some(f) = config.folder.as_str().map(folder_uid_of)
            && let Err(e) = check_uid(f)
        {
            diags.push(
                Diagnostic::error("Invalid folder uid", format!("`folder` is a folder uid and {e}.")).at_attr("folder"),
            );
        }
        // The names given, even where a value is not known yet (a data source's uid, say).
        let given = match &config.inputs {
            Attr::Unknown(_) => None,
            Attr::Partial(Value::Map(m)) => Some(m.keys().cloned().collect::<BTreeSet<String>>()),
            other => Some(other.known().map(|m| m.keys().cloned().collect()).unwrap_or_default()),
        };
        if let (Some(Ok(model)), Some(given)) = (&model, given) {
            for e in dj::check_inputs(model.inputs(), &given) {
                diags.push(invalid(&e));
            }
        }
    }

    fn stored_form(&self, opts: &Options, state: Value) -> Value {
        if !opts.store_dashboard_sha256 || state.is_null() {
            return state;
        }
        let mut m = DashboardModel::decode(&state);
        match m.config_json.as_str() {
            Some(text) if !is_model_hash(text) => {
                m.config_json = model_hash(text, &m.input_values()).into();
                m.encode()
            }
            _ => state,
        }
    }

    fn working_form(&self, stored: Value, config: Option<&Value>) -> Value {
        let (false, Some(config)) = (stored.is_null(), config) else { return stored };
        let mut m = DashboardModel::decode(&stored);
        let Some(hash) = m.config_json.as_str().filter(|t| is_model_hash(t)) else { return stored };
        let c = DashboardModel::decode(config);
        match c.config_json.as_str() {
            Some(text) if model_hash(text, &c.input_values()) == hash => {
                m.config_json = c.config_json.clone();
                m.encode()
            }
            _ => stored,
        }
    }

    fn written_elsewhere(&self, mut state: Value) -> Value {
        // The official provider's text is its own normalisation of the model, not ours: the
        // first refresh must compare it with Grafana's copy, not trust it for this version.
        DashboardModel::edit(&mut state).version(Value::Null);
        state
    }

    fn stores_other_than_config(&self, opts: &Options) -> bool {
        opts.store_dashboard_sha256
    }

    fn normalize_planned(&self, prior: &Value, planned: &mut Value) {
        // The usual plan: nothing to normalise, and nothing worth copying a model to find out.
        let (was, now) = (DashboardModel::view(prior), DashboardModel::view(planned));
        if was.config_json() == now.config_json() && was.folder() == now.folder() {
            return;
        }
        let (prior, mut plan) = (DashboardModel::decode(prior), DashboardModel::decode(planned));
        // `uid` and `1:uid` name the same folder.
        if let (Some(old), Some(new)) = (prior.folder.as_str(), plan.folder.as_str())
            && old != new
            && folder_uid_of(old) == folder_uid_of(new)
        {
            plan.folder = prior.folder.clone();
            *planned = plan.encode();
        }
        // Same meaning as the prior text, with the same inputs: keep the prior text.
        let (Some(old), Some(new)) = (prior.config_json.as_str(), plan.config_json.as_str()) else {
            return;
        };
        if old == new || prior.inputs != plan.inputs {
            return;
        }
        if let (Ok(a), Ok(b)) = (dj::parse(old), dj::parse(new)) {
            let inputs = plan.input_values();
            // Each side's own uid, or the one in force when it sets none.
            let in_force = prior.uid.as_str();
            let (ua, ub) = (dj::uid_of(&a).or(in_force), dj::uid_of(&b).or(in_force));
            let (sa, sb) = (dj::Subs::new(a.get("__inputs"), &inputs), dj::Subs::new(b.get("__inputs"), &inputs));
            // A prior text without the configuration's `__inputs` came from Grafana (the state
            // held a hash, or another provider's text): take the configuration's text once (the
            // update saves nothing), so that later drift shows in the configuration's form.
            let from_grafana = b.contains_key("__inputs") && !a.contains_key("__inputs");
            if ua == ub && !from_grafana && dj::same_meaning(&a, &sa, &b, &sb) {
                plan.config_json = prior.config_json.clone();
                *planned = plan.encode();
            }
        }
    }

    async fn modify_plan(&self, ctx: &PlanCtx<'_>, planned: &mut Value, diags: &mut Diagnostics) -> Vec<AttrPath> {
        // The text the state holds, with its uid: nothing to learn from reading it again (the
        // state's uid is the one in the text, or the one chosen for a text without).
        let (was, text) = (DashboardModel::view(ctx.prior), DashboardModel::view(planned).config_json());
        if was.uid().as_str().is_some() && text.as_str().is_some() && text == was.config_json() {
            DashboardModel::edit(planned).uid(was.uid().clone());
            return Vec::new();
        }
        let prior = DashboardModel::decode(ctx.prior);
        let mut plan = DashboardModel::decode(planned);
        let prior_uid = prior.uid.as_str();
        match plan.config_json.as_str().map(dj::check) {
            // Unknown until apply: so is the uid, and with it what Grafana assigns.
            None => {
                plan.uid = Attr::unknown();
                if let Some(prior) = prior_uid {
                    plan.forget_grafana_assigned();
                    diags.push(
                        Diagnostic::warning(
                            "The dashboard's uid is not known until apply",
                            format!(
                                "config_json depends on values known only after apply. If the `uid` in it turns out \
                                    different from {prior:?}, apply creates a new dashboard under that uid and deletes \
                                    {prior:?} with its version history; otherwise it updates {prior:?} in place."
                            ),
                        )
                        .at_attr("config_json"),
                    );
                }
            }
            Some(Err(_)) => return Vec::new(),
            Some(Ok(model)) => {
                // The model's uid, or the one in force; chosen at create time when neither is set.
                plan.uid = model.uid().or(prior_uid).map_or_else(Attr::unknown, Attr::from);
                if let (Some(prior), Some(new)) = (prior_uid, model.uid())
                    && prior != new
                {
                    plan.forget_grafana_assigned();
                    diags.push(
                        Diagnostic::warning(
                            "The dashboard's uid changes: it will be a new dashboard",
                            format!(
                                "Grafana cannot change a dashboard's uid, so apply creates a new dashboard {new:?} and \
                                    deletes {prior:?}, with its version history and any links to it."
                            ),
                        )
                        .at_attr("config_json"),
                    );
                }
            }
        }
        *planned = plan.encode();
        Vec::new()
    }

    async fn create(&self, ctx: &Ctx<'_>, planned_value: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let planned = DashboardModel::decode(planned_value);
        let want = Wanted::from_plan(&planned, diags)?;
        let err = match ctx.client.save_dashboard(&want.save_request(None)).await {
            Ok(saved) => return want.check_saved(&saved, diags).then(|| state_after_save(ctx.client, planned, &saved)),
            Err(e) => e,
        };
        // A uid the provider chose cannot be anyone else's; a configured one must hold exactly this.
        match confirm_create(&err, || ctx.client.get_dashboard(&want.uid), |d| want.chosen || want.same_as(d)).await {
            Created::Yes(d) => {
                let mut p = planned;
                p.uid = want.uid.clone().into();
                return Some(state_from_remote(ctx.client, p, &d));
            }
            Created::Taken(d) => {
                diags.push(uid_taken(&want.uid, &d));
                return None;
            }
            Created::Unknown => {
                let (s, d) = unconfirmed_create("dashboard", planned_value, &want.uid, &err);
                diags.push(d.at_attr("config_json"));
                return Some(s);
            }
            Created::No => {}
        }
        if let grafana::Error::Api { status: 412, reason, .. } = &err
            && reason.as_deref() == Some("version-mismatch")
        {
            // The uid is taken: only `overwrite = true` takes over that one dashboard.
            let existing = match ctx.client.get_dashboard(&want.uid).await {
                Ok(d) => d,
                Err(e) => {
                    diags.push(save_error(&want, "create", &e));
                    return None;
                }
            };
            if !planned.overwrite.is_true() {
                diags.push(uid_taken(&want.uid, &existing));
                return None;
            }
            return match ctx.client.save_dashboard(&want.save_request(Some(existing.version))).await {
                Ok(saved) => want.check_saved(&saved, diags).then(|| state_after_save(ctx.client, planned, &saved)),
                Err(e) => {
                    diags.push(save_error_named(ctx.client, &want, "create", &e).await);
                    None
                }
            };
        }
        diags.push(save_error_named(ctx.client, &want, "create", &err).await);
        None
    }

    async fn read(&self, ctx: &Ctx<'_>, prior: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let prior = DashboardModel::decode(prior);
        let uid = prior.uid.as_str().unwrap_or_default().to_string();
        read_outcome(ctx.client.get_dashboard(&uid).await, "dashboard", &uid, diags)
            .map(|d| state_from_remote(ctx.client, prior, &d))
    }

    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior_value: &Value,
        planned_value: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let (prior, planned) = (DashboardModel::decode(prior_value), DashboardModel::decode(planned_value));
        let want = Wanted::from_plan(&planned, diags)?;
        let prior_uid = prior.uid.as_str().unwrap_or_default();
        if want.uid != prior_uid {
            return self.change_uid(ctx, prior_value, planned_value, &want, prior_uid, diags).await;
        }
        let before = Wanted::from_plan(&prior, &mut Diagnostics::default());
        // A stored hash this configuration does not produce (a change, or a hash written by
        // the official provider, which normalises differently): save only if Grafana does
        // not already hold what the configuration says.
        if prior.config_json.as_str().is_some_and(is_model_hash)
            && let Ok(now) = ctx.client.get_dashboard(&want.uid).await
            && want.same_as(&now)
            && want.folder.as_deref().unwrap_or_default() == now.folder_uid
            && prior.message == planned.message
        {
            return Some(state_from_remote(ctx.client, planned, &now));
        }
        let unchanged =
            before.as_ref().is_some_and(|b| b.uid == want.uid && b.same_model(&want.model) && b.folder == want.folder)
                && prior.message == planned.message;
        if unchanged {
            // Only Terraform-side settings changed (overwrite, or the text but not its meaning).
            let mut s = planned;
            s.uid = prior.uid;
            s.dashboard_id = prior.dashboard_id;
            s.url = prior.url;
            s.version = prior.version;
            return Some(s.encode());
        }
        let mut result = ctx.client.save_dashboard(&want.save_request(prior.version.known().copied())).await;
        if let Err(grafana::Error::Api { status: 412, reason, .. }) = &result
            && reason.as_deref() == Some("version-mismatch")
        {
            // Saved by someone since Terraform read it. Save over it only when asked to, or
            // when its content is still what Terraform last read (it was only moved, e.g. out
            // of a folder destroyed earlier in this apply).
            if let Ok(now) = ctx.client.get_dashboard(&want.uid).await {
                let untouched = before.as_ref().is_some_and(|b| b.uid == want.uid && b.same_model(now.json()));
                let overwrite = planned.overwrite.is_true();
                if overwrite || untouched {
                    tracing::info!(uid = %want.uid, overwrite, "saving over a newer version");
                    result = ctx.client.save_dashboard(&want.save_request(Some(now.version))).await;
                }
            }
        }
        match result {
            Ok(saved) => want.check_saved(&saved, diags).then(|| state_after_save(ctx.client, planned, &saved)),
            Err(e) => {
                // The answer was lost: if Grafana now holds exactly what was sent, the save happened.
                if e.may_have_acted()
                    && let Ok(now) = ctx.client.get_dashboard(&want.uid).await
                    && want.same_as(&now)
                {
                    return Some(state_from_remote(ctx.client, planned, &now));
                }
                diags.push(save_error_named(ctx.client, &want, "update", &e).await);
                None
            }
        }
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) {
        let state = DashboardModel::decode(state);
        let uid = state.uid.as_str().unwrap_or_default();
        let deleted = ctx.client.delete_dashboard(uid).await;
        if let Some(d) = delete_outcome("dashboard", uid, deleted, || ctx.client.get_dashboard(uid)).await {
            diags.push(d);
        }
    }

    fn import_id(&self, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let uid = import_uid("dashboard", id, diags)?;
        Some(DashboardModel { overwrite: false.into(), uid: uid.into(), ..Default::default() }.encode())
    }

    fn import_identity(&self, identity: &Value, diags: &mut Diagnostics) -> Option<Value> {
        self.import_id(&identity_uid(identity), diags)
    }

    fn identity_of(&self, state: &Value) -> Option<Value> {
        Some(uid_identity(&DashboardModel::decode(state).uid))
    }

    fn lister(&self) -> Option<&'static dyn Lister> {
        Some(&list::DashboardList)
    }

    fn generated_config(&self, config: Value, _state: &Value, _diags: &mut Diagnostics) -> Value {
        list::generated(DashboardModel::decode(&config))
    }
}

/// `store_dashboard_sha256`'s state: the hex SHA-256 of the model's canonical form (what
/// Grafana adds, export keys and the uid, which is an attribute of its own, left out), so the
/// configuration's text and Grafana's copy of the same dashboard hash alike.
fn model_hash(text: &str, inputs: &BTreeMap<String, String>) -> String {
    let bytes = match dj::parse(text) {
        Ok(m) => serde_json::to_vec(&dj::comparable(dj::upload(m, inputs), None)).expect("JSON serialises"),
        Err(_) => text.as_bytes().to_vec(),
    };
    let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `config_json` in a state is a hash ([`model_hash`], or the official provider's).
pub(super) fn is_model_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(super) fn invalid(e: &Invalid) -> Diagnostic {
    let attr = match e.about {
        About::Model => "config_json",
        About::Inputs => "inputs",
    };
    Diagnostic::error(e.summary, e.detail.clone()).at_attr(attr)
}

#[cfg(test)]
mod tests {
    use serde_json::Value as Json;

    use super::*;
    use crate::resources::new_uid;

    fn state(config_json: &str, uid: &str) -> Value {
        DashboardModel { config_json: config_json.into(), uid: uid.into(), ..Default::default() }.encode()
    }

    #[test]
    fn regression_uid_change_was_taken_for_same_meaning() {
        // Semantic equality once compared both sides under the prior uid, so changing the uid
        // inside config_json planned no change at all instead of a new dashboard.
        let prior = state(r#"{"title":"T","uid":"svc"}"#, "svc");
        let mut planned = state(r#"{"title": "T", "uid": "svc-2"}"#, "svc");
        DashboardResource.normalize_planned(&prior, &mut planned);
        assert_eq!(planned.get("config_json"), &Value::string(r#"{"title": "T", "uid": "svc-2"}"#));
    }

    #[test]
    fn regression_inputs_naming_another_resource_were_refused_at_validate() {
        // `inputs = { DS_PROMETHEUS = grafana_data_source.amp.uid }`: at validate the map is
        // known and its value is not; it was read as no inputs at all ("inputs not set"), and
        // a plan would have sent the map back as null.
        let config = Value::object([
            (
                "config_json",
                Value::string(r#"{"title":"T","__inputs":[{"name":"DS_PROMETHEUS","type":"datasource"}]}"#),
            ),
            ("inputs", Value::Map([("DS_PROMETHEUS".to_string(), Value::unknown())].into_iter().collect())),
        ]);
        let mut diags = Diagnostics::default();
        DashboardResource.validate(&config, &mut diags);
        assert!(!diags.has_errors(), "{diags:?}");
        let round_trip = DashboardModel::decode(&config).encode();
        assert_eq!(round_trip.get("inputs"), config.get("inputs"), "the partly unknown map passes through");
        // A name that is not declared is still refused, value known or not.
        let config = Value::object([
            ("config_json", Value::string(r#"{"title":"T"}"#)),
            ("inputs", Value::Map([("DS_X".to_string(), Value::unknown())].into_iter().collect())),
        ]);
        let mut diags = Diagnostics::default();
        DashboardResource.validate(&config, &mut diags);
        assert!(diags.has_errors(), "{diags:?}");
    }

    #[test]
    fn same_meaning_keeps_the_prior_text() {
        let prior = state(r#"{"title":"T","panels":[{"id":1}],"id":4,"version":9}"#, "svc");
        let mut planned = state("{\n  \"panels\": [ { \"id\": 1.0 } ],\n  \"title\": \" T \"\n}", "svc");
        DashboardResource.normalize_planned(&prior, &mut planned);
        assert_eq!(planned.get("config_json"), prior.get("config_json"));
    }

    #[test]
    fn chosen_uids_are_valid_and_never_shared() {
        // B1: a uid derived from the content alone was shared by two identical dashboards.
        let (a, b) = (new_uid(), new_uid());
        assert_ne!(a, b);
        assert!(check_uid(&a).is_ok() && a.len() == 26 && a.starts_with("tf"), "{a}");
        let plan = DashboardModel {
            config_json: r#"{"title":"Twin","panels":[]}"#.into(),
            uid: Attr::unknown(),
            ..Default::default()
        };
        let x = Wanted::from_plan(&plan, &mut Diagnostics::default()).unwrap();
        let y = Wanted::from_plan(&plan, &mut Diagnostics::default()).unwrap();
        assert!(x.chosen && y.chosen);
        assert_ne!(x.uid, y.uid, "two resources with the same content get two dashboards");
        assert_eq!(x.save_request(None).dashboard["uid"], Json::String(x.uid.clone()));
    }
}
