//! `grafana_rule_group`: an alerting rule group (the rules of one folder that share a group
//! name and an evaluation interval), with the official provider's name, schema (`rule`, `data`,
//! `relative_time_range`, `notification_settings`, `record` blocks) and import ids
//! (`folderUID:title`, `orgID:folderUID:title`).
//!
//! One PUT replaces the whole group in Grafana, atomically; Grafana answers with what it was
//! sent, so the state is read back after it. A rule keeps its uid while its name stays, wherever
//! it moves in the list, and when renamed in place. A query's `model` and the durations are
//! compared by meaning: the state keeps the configuration's words while Grafana's mean the same.

mod checks;
pub mod rules;
mod schema;
#[cfg(test)]
pub mod tests;

use async_trait::async_trait;

use crate::diag::{AttrPath, Diagnostic, Diagnostics, api_error};
use crate::framework::outcome::{delete_outcome, read_outcome};
use crate::framework::{Ctx, Listed, Lister, PlanCtx, ReadOutcome, Resource};
use crate::grafana::{Client, Error, RuleGroup};
use crate::model::{Attr, Model};
use crate::resources::alerting::provenance_refused;
use crate::resources::listing::OneRequest;
use crate::resources::org_id_of;
use crate::schema::{IdentityAttribute, IdentitySchema, Schema};
use crate::value::{Type, Value};
use rules::RuleModel;
use rules::{keep_same_meaning, rule_state, wire_rule};

pub struct RuleGroupResource;

crate::model! {
    /// `grafana_rule_group`'s attributes and blocks, as the schema declares them.
    pub struct RuleGroupModel {
        name: String,
        folder_uid: String,
        interval_seconds: i64,
        disable_provenance: bool,
        rule: Vec<RuleModel>,
        id: String,
        org_id: String,
    }
}

crate::model! {
    /// The identity of a rule group: its folder and its name.
    pub struct GroupIdentity {
        folder_uid: String,
        name: String,
    }
}

#[async_trait]
impl Resource for RuleGroupResource {
    fn type_name(&self) -> &'static str {
        "grafana_rule_group"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        RuleGroupModel::attributes()
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        let attribute =
            |name, description| IdentityAttribute { name, ty: Type::String, description, required_for_import: true };
        Some(IdentitySchema {
            version: 0,
            attributes: vec![
                attribute("folder_uid", "The uid of the folder the group is in."),
                attribute("name", "The name of the rule group."),
            ],
        })
    }

    fn official_schema_version(&self) -> Option<i64> {
        Some(0)
    }

    /// The official provider (SDKv2) stores maps and lists nobody set as empty and unset
    /// timings as `""`: here they are null, as a configuration that leaves them out plans them.
    fn written_elsewhere(&self, state: Value) -> Value {
        let mut s = RuleGroupModel::decode(&state);
        if let Attr::Known(rules) = &mut s.rule {
            rules.iter_mut().for_each(checks::unset_official_blanks);
        }
        s.encode()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        checks::validate(&RuleGroupModel::decode(config), diags);
    }

    fn normalize_planned(&self, prior: &Value, planned: &mut Value) {
        let (prior, mut plan) = (RuleGroupModel::decode(prior), RuleGroupModel::decode(planned));
        let was = prior.rule.known().map(Vec::as_slice).unwrap_or_default();
        if let Attr::Known(rules) = &mut plan.rule {
            let continued: Vec<Option<RuleModel>> =
                (0..rules.len()).map(|i| rules::prior_of(was, rules, i).cloned()).collect();
            for (r, old) in rules.iter_mut().zip(continued) {
                if let Some(old) = old {
                    keep_same_meaning(&old, r);
                }
            }
        }
        *planned = plan.encode();
    }

    /// Each rule whose configuration sets no uid keeps the uid of the prior rule of its name, or
    /// of the prior rule in its place when that one's name is gone (a rename); unknown for a new
    /// rule. `record` refused where Grafana would drop it.
    async fn modify_plan(&self, ctx: &PlanCtx<'_>, planned: &mut Value, diags: &mut Diagnostics) -> Vec<AttrPath> {
        let (prior, config) = (RuleGroupModel::decode(ctx.prior), RuleGroupModel::decode(ctx.config));
        let mut plan = RuleGroupModel::decode(planned);
        let was = prior.rule.known().map(Vec::as_slice).unwrap_or_default();
        let configured = config.rule.known().map(Vec::as_slice).unwrap_or_default();
        if let Attr::Known(rules) = &mut plan.rule {
            rules::pair_uids(was, configured, rules);
        }
        *planned = plan.encode();
        if let Some(client) = ctx.client {
            checks::record_supported(client, &plan, diags).await;
        }
        Vec::new()
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let planned = RuleGroupModel::decode(planned);
        let (folder, name) = key(&planned);
        match ctx.client.get_rule_group(folder, name).await {
            Ok(_) => {
                diags.push(already_exists(folder, name));
                return None;
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => {
                diags.push(api_error(format!("Could not check for rule group {name:?} in folder {folder:?}"), &e));
                return None;
            }
        }
        write(ctx.client, &planned, diags).await
    }

    async fn read(&self, ctx: &Ctx<'_>, prior: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let prior = RuleGroupModel::decode(prior);
        let (folder, name) = key(&prior);
        let held = match read_outcome(ctx.client.get_rule_group(folder, name).await, "rule group", name, diags) {
            ReadOutcome::Found(g) => g,
            ReadOutcome::Gone => return ReadOutcome::Gone,
            ReadOutcome::Failed => return ReadOutcome::Failed,
        };
        match state(ctx.client, &prior, &held).await {
            Ok(s) => ReadOutcome::Found(s),
            Err(e) => {
                diags.push(api_error(format!("Could not read rule group {name:?}"), &e));
                ReadOutcome::Failed
            }
        }
    }

    async fn update(&self, ctx: &Ctx<'_>, _prior: &Value, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        write(ctx.client, &RuleGroupModel::decode(planned), diags).await
    }

    /// Deletes each rule of the group (the call every Grafana version has), with the
    /// provenance it was written with.
    async fn delete(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) {
        let state = RuleGroupModel::decode(state);
        let (folder, name) = key(&state);
        let held = match ctx.client.get_rule_group(folder, name).await {
            Ok(g) => g,
            Err(e) if e.is_not_found() => return,
            Err(e) => return diags.push(api_error(format!("Could not read rule group {name:?} to delete it"), &e)),
        };
        for r in &held.rules {
            let deleted = match ctx.client.delete_alert_rule(&r.uid, state.disable_provenance.is_true()).await {
                Err(Error::Api { status: 403, message, .. }) if message.contains("provenance") => {
                    return diags.push(provenance_refused("rule group", name, &message));
                }
                other => other,
            };
            let what = format!("rule {:?} of rule group {name:?}", r.title);
            if let Some(d) = delete_outcome(&what, &r.uid, deleted, || ctx.client.get_alert_rule(&r.uid)).await {
                return diags.push(d);
            }
        }
    }

    fn import_id(&self, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let (folder, name) = checks::parse_import_id(id, diags)?;
        Some(import_state(folder, name))
    }

    fn import_identity(&self, identity: &Value, _diags: &mut Diagnostics) -> Option<Value> {
        let i = GroupIdentity::decode(identity);
        Some(import_state(i.folder_uid.as_str().unwrap_or_default(), i.name.as_str().unwrap_or_default()))
    }

    fn identity_of(&self, state: &Value) -> Option<Value> {
        let s = RuleGroupModel::decode(state);
        Some(GroupIdentity { folder_uid: s.folder_uid, name: s.name }.encode())
    }

    fn lister(&self) -> Option<&'static dyn Lister> {
        Some(&RULE_GROUP_LIST)
    }

    fn generated_config(&self, config: Value, _state: &Value, _diags: &mut Diagnostics) -> Value {
        RuleGroupModel { org_id: Attr::Null, ..RuleGroupModel::decode(&config) }.encode()
    }
}

/// `list "grafana_rule_group"`: every rule group, from one list of every alert rule.
static RULE_GROUP_LIST: OneRequest = OneRequest {
    description: "The workspace's alerting rule groups, by folder uid and name.",
    what: "the alert rules (GET /api/v1/provisioning/alert-rules)",
    items: |client| {
        Box::pin(async {
            let mut groups: Vec<(String, String)> =
                client.list_alert_rules().await?.into_iter().map(|r| (r.folder_uid, r.rule_group)).collect();
            groups.sort();
            groups.dedup();
            Ok(groups
                .into_iter()
                .map(|(folder, group)| Listed {
                    id: format!("{folder}:{group}"),
                    display_name: format!("{group} ({folder})"),
                })
                .collect())
        })
    },
};

fn key(m: &RuleGroupModel) -> (&str, &str) {
    (m.folder_uid.as_str().unwrap_or_default(), m.name.as_str().unwrap_or_default())
}

fn import_state(folder: &str, name: &str) -> Value {
    RuleGroupModel {
        folder_uid: folder.into(),
        name: name.into(),
        disable_provenance: false.into(),
        ..Default::default()
    }
    .encode()
}

/// The group Grafana is sent for a plan.
fn wire_group(planned: &RuleGroupModel) -> RuleGroup {
    let (folder, name) = key(planned);
    let rules = planned.rule.known().map(Vec::as_slice).unwrap_or_default();
    RuleGroup {
        title: name.to_string(),
        folder_uid: folder.to_string(),
        interval: planned.interval_seconds.known().copied().unwrap_or_default(),
        rules: rules.iter().map(|r| wire_rule(r, folder, name)).collect(),
    }
}

/// Replaces the group with the planned one and reads it back (Grafana's answer is what it was
/// sent, without the uids it made). A write whose answer was lost is confirmed by the read.
async fn write(client: &Client, planned: &RuleGroupModel, diags: &mut Diagnostics) -> Option<Value> {
    let (folder, name) = key(planned);
    let sent = wire_group(planned);
    let put = client.put_rule_group(&sent, planned.disable_provenance.is_true()).await;
    if let Err(e) = &put
        && !e.may_have_acted()
    {
        diags.push(checks::refused(name, e));
        return None;
    }
    let read_back = async {
        let held = client.get_rule_group(folder, name).await?;
        state(client, planned, &held).await
    };
    let s = match read_back.await {
        Ok(s) => s,
        Err(e) => {
            diags.push(api_error(format!("Could not read rule group {name:?} back after writing it"), &e));
            return None;
        }
    };
    if let Err(e) = put {
        if !checks::means_planned(planned, &RuleGroupModel::decode(&s)) {
            diags.push(checks::refused(name, &e));
            return None;
        }
        tracing::info!(error = %e, "rule group write confirmed after a lost answer");
    }
    Some(s)
}

/// The state for a group Grafana holds, in the prior state's words where Grafana's mean the
/// same. The provenance is the rules' (Grafana writes a group with one); where no rule says,
/// the first rule's own answer does (an empty provenance is left out of every answer).
async fn state(client: &Client, prior: &RuleGroupModel, held: &RuleGroup) -> Result<Value, Error> {
    let said = held.rules.iter().find_map(|r| r.provenance.clone().filter(|p| !p.is_empty()));
    let provenance = match (said, held.rules.first()) {
        (Some(p), _) => p,
        (None, Some(first)) => client.get_alert_rule(&first.uid).await?.provenance.unwrap_or_default(),
        (None, None) => String::new(),
    };
    let was = prior.rule.known().map(Vec::as_slice).unwrap_or_default();
    let rules: Vec<RuleModel> = held
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let paired = was.iter().find(|p| p.uid.as_str() == Some(&r.uid)).or_else(|| was.get(i));
            rule_state(paired, r)
        })
        .collect();
    Ok(RuleGroupModel {
        name: held.title.clone().into(),
        folder_uid: held.folder_uid.clone().into(),
        interval_seconds: held.interval.into(),
        disable_provenance: provenance.is_empty().into(),
        rule: Attr::from(rules),
        id: official_id(&prior.id, &held.folder_uid, &held.title),
        org_id: org_id_of(&prior.org_id),
    }
    .encode())
}

/// The official provider's id, `<orgID>:<folderUID>:<name>`: the prior one while it names the
/// same group, else organisation 1's.
fn official_id(prior: &Attr<String>, folder: &str, name: &str) -> Attr<String> {
    let own = format!("{folder}:{name}");
    match prior.as_str() {
        Some(id) if id.split_once(':').is_some_and(|(org, rest)| matches!(org, "0" | "1") && rest == own) => {
            prior.clone()
        }
        _ => Attr::from(format!("1:{own}")),
    }
}

/// A create refused because the folder holds a group of that name: how to adopt it instead.
fn already_exists(folder: &str, name: &str) -> Diagnostic {
    Diagnostic::error(
        "The rule group already exists",
        format!(
            "Folder {folder:?} already holds a rule group named {name:?}; creating it would replace its rules. To \
                manage it with Terraform, import it: `terraform import <address> \"{folder}:{name}\"` (or an `import` \
                block with `id = \"{folder}:{name}\"`); otherwise choose another `name`."
        ),
    )
    .at_attr("name")
}
