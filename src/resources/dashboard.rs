//! `grafana_dashboard`: a dashboard from its JSON model, with plans that mean something.
//!
//! What Grafana adds or rewrites (`id`, `version`, a trimmed title, key order, whitespace) never
//! shows as a change; the user's text stays in state while its meaning is unchanged. A `uid`
//! change inside `config_json` is planned as an update that makes a new dashboard and deletes
//! the old one (never as a replacement: when `config_json` is unknown at plan time, Terraform's
//! apply-time plan could not turn an update into a replacement consistently). A dashboard
//! without a `uid` gets a random one at create time, sent with the create, so a create whose
//! answer is lost is confirmed by reading it back, and two resources never share a dashboard.
//! `overwrite` is never sent to Grafana as such: on 10.4 it would let a save take over another
//! dashboard with the same title. `${NAME}` placeholders declared in `__inputs` are filled from
//! `inputs` before upload, as Grafana's import dialog does.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use serde_json::{Map, Value as Json};

use crate::diag::{AttrPath, Diagnostic, Diagnostics, api_error};
use crate::framework::{Ctx, PlanCtx, Resource, canonical_json};
use crate::grafana::{self, Client, Dashboard, SaveDashboard, Saved};
use crate::resources::{check_uid, import_uid, new_uid, uid_identity, uid_identity_schema, unconfirmed_create};
use crate::schema::{Attribute, IdentitySchema, Schema};
use crate::value::{Type, Value};

pub struct DashboardResource;

#[async_trait]
impl Resource for DashboardResource {
    fn type_name(&self) -> &'static str {
        "grafana_dashboard"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "A Grafana dashboard, from its JSON model (an export from Grafana, or `jsonencode(...)`). Changes Grafana makes on save (`id`, `version`, key order, whitespace) never show as a diff; any change updates the dashboard in place, keeping its id, panel ids and history, except a change of the `uid` inside `config_json`: Grafana cannot change a uid, so that update creates a new dashboard under the new uid and deletes the old one (the plan warns).",
            vec![
                Attribute::string("config_json").required().describe(
                    "The dashboard's JSON model. Must be a JSON object with a non-blank `title`; `uid`, if set, is letters, digits, `-` and `_`, at most 40 characters. `id` and `version` are ignored. `__inputs` and `__requires` from Grafana's export dialog are understood: see `inputs`.",
                ),
                Attribute::string("folder").optional().describe("The uid of the folder holding the dashboard; unset for the General folder. Changing it moves the dashboard in place."),
                Attribute::bool("overwrite").default(Value::Bool(false)).describe(
                    "When `true`, take over a dashboard that already has this uid, and save updates even if the dashboard changed in Grafana since Terraform read it. Never reaches a dashboard with another uid: a title already used in the folder (Grafana 10.4) is always an error naming that dashboard. Defaults to `false`: both cases are errors that say what to do.",
                ),
                Attribute::string("message").optional().describe("A version message recorded with each save, at most 500 characters. Grafana does not return it when the dashboard is read, so after an import the first apply records it with a save."),
                Attribute::of("inputs", Type::map(Type::String)).optional().describe(
                    "Values for the inputs an exported dashboard declares in `__inputs`, by name, e.g. `{ DS_PROMETHEUS = \"amp-prod\" }`. Every `${NAME}` placeholder is replaced before upload, as Grafana's import dialog does. Every declared input must be set, and only declared inputs may be.",
                ),
                Attribute::string("uid").computed().describe(
                    "The dashboard's uid: the one in `config_json`, or, when it has none, one the provider chooses when it creates the dashboard (`tf` and 24 random hex digits) and keeps from then on.",
                ),
                Attribute::number("dashboard_id").computed().use_state_for_unknown().describe("Grafana's numeric id of the dashboard (deprecated by Grafana in favour of `uid`)."),
                Attribute::string("url").computed().describe("The dashboard's full URL in Grafana."),
                Attribute::number("version").computed().describe("The dashboard's version in Grafana; it grows by one with each save."),
            ],
        )
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(uid_identity_schema("The dashboard's uid."))
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let model = config.get("config_json").as_str().map(parse_model);
        if let Some(Err(d)) = &model {
            diags.push(d.clone());
        }
        if let Some(m) = config.get("message").as_str() {
            if m.chars().count() > 500 {
                diags.push(
                    Diagnostic::error(
                        "Message too long",
                        format!("`message` has {} characters; Grafana accepts at most 500.", m.chars().count()),
                    )
                    .at_attr("message"),
                );
            }
        }
        if let Some(f) = config.get("folder").as_str() {
            if let Err(e) = check_uid(f) {
                diags.push(
                    Diagnostic::error("Invalid folder uid", format!("`folder` is a folder uid and {e}."))
                        .at_attr("folder"),
                );
            }
        }
        if let (Some(Ok(model)), false) = (&model, config.get("inputs").is_unknown()) {
            check_inputs(model, config.get("inputs"), diags);
        }
    }

    fn normalize_planned(&self, prior: &Value, planned: &mut Value) {
        // Same meaning as the prior text, with the same inputs: keep the prior text.
        let (Some(old), Some(new)) = (prior.get("config_json").as_str(), planned.get("config_json").as_str()) else {
            return;
        };
        if old == new || prior.get("inputs") != planned.get("inputs") {
            return;
        }
        if let (Ok(a), Ok(b)) = (parse_model(old), parse_model(new)) {
            let inputs = input_values(planned.get("inputs"));
            // Each side's own uid, or the one in force when it sets none.
            let in_force = prior.get("uid").as_str();
            let (ua, ub) = (model_uid(&a).or(in_force), model_uid(&b).or(in_force));
            if comparable(&upload_model(&a, &inputs), ua) == comparable(&upload_model(&b, &inputs), ub) {
                planned.set("config_json", Value::string(old));
            }
        }
    }

    async fn modify_plan(&self, ctx: &PlanCtx<'_>, planned: &mut Value, diags: &mut Diagnostics) -> Vec<AttrPath> {
        let prior_uid = ctx.prior.get("uid").as_str();
        let Some(text) = planned.get("config_json").as_str() else {
            // Unknown until apply: so is the uid, and with it what Grafana assigns.
            planned.set("uid", Value::unknown());
            if let Some(prior) = prior_uid {
                for k in ["dashboard_id", "url", "version"] {
                    planned.set(k, Value::unknown());
                }
                diags.push(
                    Diagnostic::warning(
                        "The dashboard's uid is not known until apply",
                        format!(
                            "config_json depends on values known only after apply. If the `uid` in it turns out different from {prior:?}, apply creates a new dashboard under that uid and deletes {prior:?} with its version history; otherwise it updates {prior:?} in place."
                        ),
                    )
                    .at_attr("config_json"),
                );
            }
            return Vec::new();
        };
        let Ok(model) = parse_model(text) else { return Vec::new() };
        match model_uid(&model).or(prior_uid) {
            Some(uid) => planned.set("uid", Value::string(uid)),
            // Chosen when the dashboard is created.
            None => planned.set("uid", Value::unknown()),
        }
        if let (Some(prior), Some(new)) = (prior_uid, model_uid(&model)) {
            if prior != new {
                for k in ["dashboard_id", "url", "version"] {
                    planned.set(k, Value::unknown());
                }
                diags.push(
                    Diagnostic::warning(
                        "The dashboard's uid changes: it will be a new dashboard",
                        format!(
                            "Grafana cannot change a dashboard's uid, so apply creates a new dashboard {new:?} and deletes {prior:?}, with its version history and any links to it."
                        ),
                    )
                    .at_attr("config_json"),
                );
            }
        }
        Vec::new()
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let want = Wanted::from_plan(planned, diags)?;
        let overwrite = planned.get("overwrite").as_bool() == Some(true);
        let err = match ctx.client.save_dashboard(&want.save_request(None)).await {
            Ok(saved) => return want.check_saved(&saved, diags).then(|| state_after_save(ctx.client, planned, &saved)),
            Err(e) => e,
        };
        if err.may_have_acted() {
            // The answer was lost: the uid we sent tells whether the create happened. A uid the
            // provider chose cannot be anyone else's; a configured one must hold exactly this.
            match ctx.client.get_dashboard(&want.uid).await {
                Ok(d) if want.chosen || want.same_as(&d) => {
                    tracing::info!(uid = %want.uid, error = %err, "create confirmed after a lost answer");
                    return Some(state_from_remote(ctx.client, &want.with_uid(planned), &d));
                }
                Ok(d) => {
                    diags.push(uid_taken(&want.uid, &d));
                    return None;
                }
                Err(g) if g.is_not_found() => {}
                Err(_) => {
                    let (s, d) = unconfirmed_create("dashboard", planned, &want.uid, &err);
                    diags.push(d.at_attr("config_json"));
                    return Some(s);
                }
            }
        }
        if let grafana::Error::Api { status: 412, reason, .. } = &err {
            if reason.as_deref() == Some("version-mismatch") {
                // The uid is taken: only `overwrite = true` takes over that one dashboard.
                let existing = match ctx.client.get_dashboard(&want.uid).await {
                    Ok(d) => d,
                    Err(e) => {
                        diags.push(save_error(&want, "create", &e));
                        return None;
                    }
                };
                if !overwrite {
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
        }
        diags.push(save_error_named(ctx.client, &want, "create", &err).await);
        None
    }

    async fn read(&self, ctx: &Ctx<'_>, prior: &Value, diags: &mut Diagnostics) -> Option<Option<Value>> {
        let uid = prior.get("uid").as_str().unwrap_or_default();
        match ctx.client.get_dashboard(uid).await {
            Ok(d) => Some(Some(state_from_remote(ctx.client, prior, &d))),
            Err(e) if e.is_not_found() => Some(None),
            Err(e) => {
                diags.push(api_error(format!("Could not read dashboard {uid:?}"), &e));
                None
            }
        }
    }

    async fn update(&self, ctx: &Ctx<'_>, prior: &Value, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let want = Wanted::from_plan(planned, diags)?;
        let prior_uid = prior.get("uid").as_str().unwrap_or_default();
        if want.uid != prior_uid {
            // Grafana cannot change a uid: a new dashboard, then the old one goes. On Grafana
            // 10.4 the old one's title blocks the new one in the same folder: then the old one
            // goes first, as a replacement would have done.
            let mut first = Diagnostics::default();
            let out = match self.create(ctx, planned, &mut first).await {
                None if first.0.iter().any(|d| d.summary == TITLE_TAKEN)
                    && self.only_clash_is(ctx.client, &want, prior_uid).await =>
                {
                    self.delete(ctx, prior, diags).await;
                    if diags.has_errors() {
                        return None;
                    }
                    let out = self.create(ctx, planned, diags).await;
                    // The old dashboard is gone: an empty state says so if the new one failed.
                    return out.or(Some(Value::Null));
                }
                out => {
                    diags.extend(first);
                    out?
                }
            };
            if diags.has_errors() {
                return Some(out);
            }
            self.delete(ctx, prior, diags).await;
            return Some(out);
        }
        let before = Wanted::from_plan(prior, &mut Diagnostics::default());
        let unchanged = before.as_ref().is_some_and(|b| b.comparable() == want.comparable() && b.folder == want.folder)
            && prior.get("message") == planned.get("message");
        if unchanged {
            // Only Terraform-side settings changed (overwrite, or the text but not its meaning).
            let mut s = planned.clone();
            for k in ["uid", "dashboard_id", "url", "version"] {
                s.set(k, prior.get(k).clone());
            }
            return Some(s);
        }
        let overwrite = planned.get("overwrite").as_bool() == Some(true);
        let mut result = ctx.client.save_dashboard(&want.save_request(prior.get("version").as_i64())).await;
        if let Err(grafana::Error::Api { status: 412, reason, .. }) = &result {
            if reason.as_deref() == Some("version-mismatch") {
                // Saved by someone since Terraform read it. Save over it only when asked to, or
                // when its content is still what Terraform last read (it was only moved, e.g. out
                // of a folder destroyed earlier in this apply).
                if let Ok(now) = ctx.client.get_dashboard(&want.uid).await {
                    let untouched =
                        before.as_ref().is_some_and(|b| b.comparable() == comparable(&now.json, Some(&want.uid)));
                    if overwrite || untouched {
                        tracing::info!(uid = %want.uid, overwrite, "saving over a newer version");
                        result = ctx.client.save_dashboard(&want.save_request(Some(now.version))).await;
                    }
                }
            }
        }
        match result {
            Ok(saved) => want.check_saved(&saved, diags).then(|| state_after_save(ctx.client, planned, &saved)),
            Err(e) => {
                // The answer was lost: if Grafana now holds exactly what was sent, the save happened.
                if e.may_have_acted() {
                    if let Ok(now) = ctx.client.get_dashboard(&want.uid).await {
                        if want.same_as(&now) {
                            return Some(state_from_remote(ctx.client, planned, &now));
                        }
                    }
                }
                diags.push(save_error_named(ctx.client, &want, "update", &e).await);
                None
            }
        }
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) {
        let uid = state.get("uid").as_str().unwrap_or_default();
        match ctx.client.delete_dashboard(uid).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            // The answer was lost: gone now means the delete happened.
            Err(e) if e.may_have_acted() => match ctx.client.get_dashboard(uid).await {
                Err(g) if g.is_not_found() => {}
                _ => diags.push(api_error(format!("Could not delete dashboard {uid:?}"), &e)),
            },
            Err(e) => diags.push(api_error(format!("Could not delete dashboard {uid:?}"), &e)),
        }
    }

    fn import_id(&self, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let uid = import_uid("dashboard", id, diags)?;
        Some(Value::object([
            ("config_json", Value::Null),
            ("folder", Value::Null),
            ("overwrite", Value::Bool(false)),
            ("message", Value::Null),
            ("inputs", Value::Null),
            ("uid", Value::String(uid)),
            ("dashboard_id", Value::Null),
            ("url", Value::Null),
            ("version", Value::Null),
        ]))
    }

    fn import_identity(&self, identity: &Value, diags: &mut Diagnostics) -> Option<Value> {
        self.import_id(identity.get("uid").as_str().unwrap_or_default(), diags)
    }

    fn identity_of(&self, state: &Value) -> Option<Value> {
        Some(uid_identity(state))
    }
}

impl DashboardResource {
    /// Whether the one dashboard whose title blocks `want` in its folder is `uid`.
    async fn only_clash_is(&self, client: &Client, want: &Wanted, uid: &str) -> bool {
        let title = want.model.get("title").and_then(Json::as_str).unwrap_or_default();
        let hits =
            client.find_dashboards_by_title(title, want.folder.as_deref().unwrap_or("")).await.unwrap_or_default();
        !hits.is_empty() && hits.iter().all(|h| h.uid == uid)
    }
}

// ---- the dashboard model ----

/// Parses `config_json`, checking what Grafana would refuse, as a diagnostic on `config_json`.
fn parse_model(text: &str) -> Result<Map<String, Json>, Diagnostic> {
    let bad = |summary: &str, detail: String| Err(Diagnostic::error(summary, detail).at_attr("config_json"));
    let v: Json = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return bad(
                "config_json is not valid JSON",
                format!("{e}. Paste the dashboard's JSON model, or build it with jsonencode()."),
            );
        }
    };
    let Json::Object(m) = v else {
        return bad(
            "config_json is not a JSON object",
            "A dashboard's JSON model is an object, `{ \"title\": …, \"panels\": [ … ] }`.".into(),
        );
    };
    match m.get("title") {
        Some(Json::String(t)) if !t.trim().is_empty() => {}
        Some(Json::String(_)) => {
            return bad("Dashboard title is blank", "Set `title` in config_json to a non-blank name.".into());
        }
        _ => return bad("Dashboard title missing", "config_json needs a string `title`.".into()),
    }
    match m.get("uid") {
        None | Some(Json::Null) => {}
        Some(Json::String(u)) if u.is_empty() => {}
        Some(Json::String(u)) => {
            if let Err(e) = check_uid(u) {
                return bad(
                    "Invalid dashboard uid",
                    format!("The `uid` in config_json {e}. Fix it, or remove it to let the provider choose one."),
                );
            }
        }
        Some(other) => {
            return bad("Invalid dashboard uid", format!("The `uid` in config_json must be a string, not {other}."));
        }
    }
    Ok(m)
}

/// The uid the model sets (null, missing and "" mean none).
fn model_uid(m: &Map<String, Json>) -> Option<&str> {
    m.get("uid").and_then(Json::as_str).filter(|u| !u.is_empty())
}

/// Input names declared in `__inputs`.
fn declared_inputs(m: &Map<String, Json>) -> BTreeSet<String> {
    m.get("__inputs")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| i.get("name")?.as_str().map(str::to_string))
        .collect()
}

fn input_values(v: &Value) -> BTreeMap<String, String> {
    match v {
        Value::Map(m) => m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect(),
        _ => BTreeMap::new(),
    }
}

/// Every declared input set, and only declared ones.
fn check_inputs(model: &Map<String, Json>, inputs: &Value, diags: &mut Diagnostics) {
    let declared = declared_inputs(model);
    let given: BTreeSet<String> = match inputs {
        Value::Map(m) => m.keys().cloned().collect(),
        _ => BTreeSet::new(),
    };
    let list = |s: &BTreeSet<String>| s.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
    let undeclared: BTreeSet<String> = given.difference(&declared).cloned().collect();
    if !undeclared.is_empty() {
        let detail = if declared.is_empty() {
            format!("The dashboard declares no `__inputs`, so `inputs` must be empty; remove {}.", list(&undeclared))
        } else {
            format!(
                "The dashboard's `__inputs` do not declare {}. It declares: {}.",
                list(&undeclared),
                list(&declared)
            )
        };
        diags.push(Diagnostic::error("Undeclared dashboard inputs", detail).at_attr("inputs"));
    }
    let unset: BTreeSet<String> = declared.difference(&given).cloned().collect();
    if !unset.is_empty() {
        diags.push(
            Diagnostic::error(
                "Dashboard inputs not set",
                format!(
                    "The dashboard's `__inputs` declare {}, which `inputs` must set, e.g. `inputs = {{ {} = \"<data source uid>\" }}`.",
                    list(&unset),
                    unset.iter().next().map(|n| if n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') { n.clone() } else { format!("{n:?}") }).unwrap_or_default()
                ),
            )
            .at_attr("inputs"),
        );
    }
}

/// What is uploaded: the model with inputs filled in, without the export-only `__inputs` and
/// `__requires`, and without `id` and `version` (Grafana's own).
fn upload_model(model: &Map<String, Json>, inputs: &BTreeMap<String, String>) -> Map<String, Json> {
    let declared = declared_inputs(model);
    let mut m = model.clone();
    for k in ["__inputs", "__requires", "id", "version"] {
        m.remove(k);
    }
    if let Some(Json::String(t)) = m.get_mut("title") {
        *t = t.trim().to_string();
    }
    let subs: Vec<(String, &str)> =
        inputs.iter().filter(|(k, _)| declared.contains(*k)).map(|(k, v)| (format!("${{{k}}}"), v.as_str())).collect();
    if subs.is_empty() {
        return m;
    }
    match fill(Json::Object(m), &subs) {
        Json::Object(m) => m,
        _ => unreachable!("filling placeholders keeps an object an object"),
    }
}

fn fill(v: Json, subs: &[(String, &str)]) -> Json {
    match v {
        Json::String(s) if s.contains("${") => Json::String(fill_text(&s, subs)),
        Json::Array(xs) => Json::Array(xs.into_iter().map(|x| fill(x, subs)).collect()),
        Json::Object(m) => Json::Object(m.into_iter().map(|(k, x)| (k, fill(x, subs))).collect()),
        other => other,
    }
}

/// Replaces each placeholder in one left-to-right pass: a value that itself contains `${…}` is
/// copied as it is, never substituted again.
fn fill_text(s: &str, subs: &[(String, &str)]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        match subs.iter().find(|(from, _)| tail.starts_with(from.as_str())) {
            Some((from, to)) => {
                out.push_str(to);
                rest = &tail[from.len()..];
            }
            None => {
                out.push_str("${");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The canonical form two models are compared in, with `uid` set to the one in force.
fn comparable(upload: &Map<String, Json>, uid: Option<&str>) -> Json {
    let mut m = upload.clone();
    for k in ["id", "version", "__inputs", "__requires"] {
        m.remove(k);
    }
    if let Some(Json::String(t)) = m.get_mut("title") {
        *t = t.trim().to_string();
    }
    match uid {
        Some(u) => m.insert("uid".into(), Json::String(u.into())),
        None => m.remove("uid"),
    };
    canonical_json(Json::Object(m))
}

/// The dashboard a plan wants in Grafana.
struct Wanted {
    uid: String,
    /// The provider chose the uid just now (the configuration and the state set none).
    chosen: bool,
    model: Map<String, Json>,
    folder: Option<String>,
    message: Option<String>,
}

impl Wanted {
    fn from_plan(v: &Value, diags: &mut Diagnostics) -> Option<Wanted> {
        let model = match parse_model(v.get("config_json").as_str().unwrap_or_default()) {
            Ok(m) => m,
            Err(d) => {
                diags.push(d);
                return None;
            }
        };
        let given = model_uid(&model).or(v.get("uid").as_str()).map(str::to_string);
        let chosen = given.is_none();
        let uid = given.unwrap_or_else(new_uid);
        let mut model = upload_model(&model, &input_values(v.get("inputs")));
        model.insert("uid".into(), Json::String(uid.clone()));
        Some(Wanted {
            uid,
            chosen,
            model,
            folder: v.get("folder").as_str().map(str::to_string),
            message: v.get("message").as_str().map(str::to_string),
        })
    }

    fn comparable(&self) -> Json {
        comparable(&self.model, Some(&self.uid))
    }

    /// Whether a dashboard in Grafana is exactly this one, in this folder.
    fn same_as(&self, d: &Dashboard) -> bool {
        comparable(&d.json, Some(&self.uid)) == self.comparable()
            && self.folder.as_deref().unwrap_or("") == d.folder_uid
    }

    /// The save request, with the `version` the save is based on (none for a create).
    /// `overwrite` is never sent: on Grafana 10.4 it makes a save with a title already used in
    /// the folder take over that other dashboard, whatever uid was sent.
    fn save_request(&self, version: Option<i64>) -> SaveDashboard {
        let mut dashboard = self.model.clone();
        if let Some(v) = version {
            dashboard.insert("version".into(), Json::from(v));
        }
        SaveDashboard { dashboard, folder_uid: self.folder.clone(), message: self.message.clone() }
    }

    /// A save is accepted only for the uid that was sent.
    fn check_saved(&self, saved: &Saved, diags: &mut Diagnostics) -> bool {
        if saved.uid == self.uid {
            return true;
        }
        diags.push(
            Diagnostic::error(
                "Grafana saved into another dashboard",
                format!(
                    "The save of dashboard {:?} was answered for dashboard {:?}. Nothing was recorded in the state; check dashboard {:?} in Grafana (its version history has the save), then plan again.",
                    self.uid, saved.uid, saved.uid
                ),
            )
            .at_attr("config_json"),
        );
        false
    }

    /// The planned state with this uid set (it may have been chosen just now).
    fn with_uid(&self, planned: &Value) -> Value {
        let mut p = planned.clone();
        p.set("uid", Value::string(&self.uid));
        p
    }
}

// ---- state ----

/// The state after a save: what was planned, and what Grafana's answer determines (no read-back).
fn state_after_save(client: &Client, planned: &Value, saved: &Saved) -> Value {
    let mut s = planned.clone();
    s.set("uid", Value::string(&saved.uid));
    s.set("dashboard_id", Value::int(saved.id));
    s.set("url", Value::string(format!("{}{}", client.base_url(), saved.url)));
    s.set("version", Value::int(saved.version));
    s
}

/// The state for a dashboard as Grafana holds it. The configuration's text is kept while it
/// means the same as Grafana's copy; otherwise (drift, or an import) the state takes Grafana's
/// JSON, so the plan shows what changed.
fn state_from_remote(client: &Client, prior: &Value, d: &Dashboard) -> Value {
    let uid = d.json.get("uid").and_then(Json::as_str).unwrap_or_default().to_string();
    let prior_model = prior.get("config_json").as_str().and_then(|t| parse_model(t).ok());
    let inputs = input_values(prior.get("inputs"));
    let same = prior_model
        .as_ref()
        .is_some_and(|m| comparable(&upload_model(m, &inputs), Some(&uid)) == comparable(&d.json, Some(&uid)));
    let config_json = if same {
        prior.get("config_json").clone()
    } else {
        let mut remote = d.json.clone();
        remote.remove("id");
        remote.remove("version");
        // A uid the provider chose was never in the user's text: leave it out of the diff too.
        if prior_model.as_ref().is_some_and(|m| model_uid(m).is_none()) {
            remote.remove("uid");
        }
        Value::string(serde_json::to_string_pretty(&Json::Object(remote)).expect("JSON serialises"))
    };
    let folder = if d.folder_uid.is_empty() { Value::Null } else { Value::string(&d.folder_uid) };
    let mut s = prior.clone();
    s.set("config_json", config_json);
    s.set("folder", folder);
    if s.get("overwrite").is_null() {
        s.set("overwrite", Value::Bool(false));
    }
    s.set("uid", Value::String(uid));
    s.set("dashboard_id", Value::int(d.id));
    s.set("url", Value::string(format!("{}{}", client.base_url(), d.url)));
    s.set("version", Value::int(d.version));
    s
}

// ---- errors ----

fn folder_name(title: &str, uid: &str) -> String {
    if uid.is_empty() { "the General folder".to_string() } else { format!("folder {title:?} ({uid})") }
}

fn uid_taken(uid: &str, existing: &Dashboard) -> Diagnostic {
    let title = existing.json.get("title").and_then(Json::as_str).unwrap_or_default();
    Diagnostic::error(
        "A dashboard with this uid already exists",
        format!(
            "Grafana already has dashboard {uid:?}, titled {title:?}, in {}. To manage it with Terraform, import it (`terraform import <address> {uid}`, or an import block); to replace it with this configuration, set `overwrite = true`; or give this dashboard another uid.",
            folder_name(&existing.folder_title, &existing.folder_uid)
        ),
    )
    .at_attr("config_json")
}

const TITLE_TAKEN: &str = "A dashboard with this title already exists in the folder";

/// [`save_error`], naming the other dashboard when the title is already used in the folder.
async fn save_error_named(client: &Client, want: &Wanted, what: &str, e: &grafana::Error) -> Diagnostic {
    if let grafana::Error::Api { status: 412, reason, .. } = e {
        if reason.as_deref() == Some("name-exists") {
            let title = want.model.get("title").and_then(Json::as_str).unwrap_or_default();
            let folder = want.folder.as_deref().unwrap_or("");
            let others = client.find_dashboards_by_title(title, folder).await.unwrap_or_default();
            if let Some(other) = others.iter().find(|h| h.uid != want.uid) {
                let place =
                    if folder.is_empty() { "the General folder".to_string() } else { format!("folder {folder:?}") };
                return Diagnostic::error(
                    TITLE_TAKEN,
                    format!(
                        "Grafana 10.4 requires dashboard titles to be unique within a folder, and {place} already holds dashboard {:?} titled {:?}. Nothing was saved, and that dashboard was not touched (`overwrite` never reaches another uid). Rename one of them, put this one in another folder, or, to manage that dashboard with Terraform, import it (`terraform import <address> {}`).",
                        other.uid, other.title, other.uid
                    ),
                )
                .at_attr("config_json");
            }
        }
    }
    save_error(want, what, e)
}

fn save_error(want: &Wanted, what: &str, e: &grafana::Error) -> Diagnostic {
    let title = want.model.get("title").and_then(Json::as_str).unwrap_or_default();
    if let grafana::Error::Api { status: 412, reason, .. } = e {
        match reason.as_deref() {
            Some("name-exists") => {
                return Diagnostic::error(
                    TITLE_TAKEN,
                    format!(
                        "Grafana 10.4 requires dashboard titles to be unique within a folder, and {} already holds a dashboard titled {title:?}. Nothing was saved. Rename one of them, or put this one in another folder.",
                        want.folder.as_deref().map_or("the General folder".to_string(), |f| format!("folder {f:?}"))
                    ),
                )
                .at_attr("config_json");
            }
            Some("version-mismatch") if what == "update" => {
                return Diagnostic::error(
                    "The dashboard changed in Grafana since Terraform read it",
                    format!(
                        "Dashboard {:?} ({title:?}) was saved in Grafana after Terraform's last refresh, so this update was refused rather than lose that change. Run `terraform plan` to see the difference, or set `overwrite = true` to save over it.",
                        want.uid
                    ),
                )
                .at_attr("config_json");
            }
            _ => {}
        }
    }
    api_error(format!("Could not {what} dashboard {:?} ({title:?})", want.uid), e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(s: &str) -> Map<String, Json> {
        parse_model(s).unwrap()
    }

    fn state(config_json: &str, uid: &str) -> Value {
        Value::object([
            ("config_json", Value::string(config_json)),
            ("inputs", Value::Null),
            ("uid", Value::string(uid)),
        ])
    }

    #[test]
    fn regression_uid_change_was_taken_for_same_meaning() {
        // Semantic equality once compared both sides under the prior uid, so changing the uid
        // inside config_json planned no change at all instead of a replacement.
        let prior = state(r#"{"title":"T","uid":"svc"}"#, "svc");
        let mut planned = state(r#"{"title": "T", "uid": "svc-2"}"#, "svc");
        DashboardResource.normalize_planned(&prior, &mut planned);
        assert_eq!(planned.get("config_json"), &Value::string(r#"{"title": "T", "uid": "svc-2"}"#));
    }

    #[test]
    fn same_meaning_keeps_the_prior_text() {
        let prior = state(r#"{"title":"T","panels":[{"id":1}],"id":4,"version":9}"#, "svc");
        let mut planned = state("{\n  \"panels\": [ { \"id\": 1.0 } ],\n  \"title\": \" T \"\n}", "svc");
        DashboardResource.normalize_planned(&prior, &mut planned);
        assert_eq!(planned.get("config_json"), prior.get("config_json"));
    }

    #[test]
    fn inputs_are_filled_and_export_keys_dropped() {
        let m = model(
            r#"{"__inputs":[{"name":"DS_P"},{"name":"DS_X Y"}],"__requires":[],"id":3,"version":2,"title":" T ",
                "panels":[{"datasource":{"uid":"${DS_P}"},"targets":[{"expr":"up{x=\"${DS_X Y}\"}","other":"${UNDECLARED}"}]}]}"#,
        );
        let inputs =
            BTreeMap::from([("DS_P".to_string(), "prom".to_string()), ("DS_X Y".to_string(), "cw".to_string())]);
        let up = Json::Object(upload_model(&m, &inputs));
        assert_eq!(
            up,
            serde_json::json!({"title": "T", "panels": [{"datasource": {"uid": "prom"}, "targets": [{"expr": "up{x=\"cw\"}", "other": "${UNDECLARED}"}]}]})
        );
    }

    #[test]
    fn chosen_uids_are_valid_and_never_shared() {
        // B1: a uid derived from the content alone was shared by two identical dashboards.
        let a = new_uid();
        let b = new_uid();
        assert_ne!(a, b);
        assert!(check_uid(&a).is_ok() && a.len() == 26 && a.starts_with("tf"), "{a}");
        let m = r#"{"title":"Twin","panels":[]}"#;
        let plan = Value::object([("config_json", Value::string(m)), ("uid", Value::unknown())]);
        let (x, y) = (
            Wanted::from_plan(&plan, &mut Diagnostics::default()).unwrap(),
            Wanted::from_plan(&plan, &mut Diagnostics::default()).unwrap(),
        );
        assert!(x.chosen && y.chosen);
        assert_ne!(x.uid, y.uid, "two resources with the same content get two dashboards");
        assert_eq!(x.save_request(None).dashboard["uid"], Json::String(x.uid.clone()));
    }

    #[test]
    fn regression_input_values_were_substituted_twice() {
        let m = model(r#"{"__inputs":[{"name":"A"},{"name":"B"}],"title":"T","x":"${A}-${B}"}"#);
        let inputs = BTreeMap::from([("A".to_string(), "${B}".to_string()), ("B".to_string(), "b".to_string())]);
        let up = upload_model(&m, &inputs);
        assert_eq!(up["x"], Json::String("${B}-b".into()), "a value is copied as it is, never filled again");
    }

    #[test]
    fn validation_names_what_is_wrong() {
        let err = |s: &str| parse_model(s).unwrap_err().summary;
        assert_eq!(err("nope"), "config_json is not valid JSON");
        assert_eq!(err("[1]"), "config_json is not a JSON object");
        assert_eq!(err(r#"{"panels":[]}"#), "Dashboard title missing");
        assert_eq!(err(r#"{"title":" "}"#), "Dashboard title is blank");
        assert_eq!(err(r#"{"title":"t","uid":"a/b"}"#), "Invalid dashboard uid");
        assert_eq!(err(r#"{"title":"t","uid":7}"#), "Invalid dashboard uid");
        assert!(parse_model(r#"{"title":"t","uid":null}"#).is_ok());
        assert!(parse_model(r#"{"title":"t","uid":""}"#).is_ok());
        let mut d = Diagnostics::default();
        check_inputs(
            &model(r#"{"title":"t","__inputs":[{"name":"A"},{"name":"B"}]}"#),
            &Value::Map(BTreeMap::from([("A".into(), Value::string("x")), ("C".into(), Value::string("y"))])),
            &mut d,
        );
        let text: Vec<String> = d.0.iter().map(|x| format!("{}: {}", x.summary, x.detail)).collect();
        assert!(text[0].starts_with("Undeclared dashboard inputs") && text[0].contains("\"C\""), "{text:?}");
        assert!(text[1].starts_with("Dashboard inputs not set") && text[1].contains("\"B\""), "{text:?}");
    }
}
