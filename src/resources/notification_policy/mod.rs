//! `grafana_notification_policy`: the organisation's whole notification policy tree (a
//! singleton), with the official provider's name, schema (`policy` blocks four levels deep,
//! `matcher` blocks) and import id (`policy`).
//!
//! Grafana stores the tree in Alertmanager's form: durations in Prometheus's shortest words
//! (`300s` is `5m`), empty values left out (`continue = false`, `group_by = []`): the state
//! keeps the configuration's words while Grafana's mean the same. A create replaces whatever
//! tree Grafana holds (there is always one), and warns when that was more than Grafana's
//! default; a destroy resets the tree to Grafana's default.

mod levels;
mod tree;

use async_trait::async_trait;
use serde_json::Value as Json;

use crate::diag::{AttrPath, Diagnostic, Diagnostics, api_error};
use crate::framework::{Ctx, Listed, Lister, PlanCtx, ReadOutcome, Resource};
use crate::grafana::{Client, Error};
use crate::model::{Attr, Model};
use crate::resources::alerting::{disable_provenance_attribute, provenance_read_back, provenance_refused};
use crate::resources::listing::OneRequest;
use crate::resources::{IdIdentity, check_org_id, org_id_of, text_identity_schema};
use crate::schema::{Attribute, Block, IdentitySchema, Schema};
use crate::value::{Type, Value};
use levels::{Level, Level4, children};
use tree::{Node, check_durations, check_group_by, check_node, keep_words, node_of, route_of};

pub struct NotificationPolicyResource;

/// The `policy` blocks' depth, as the official provider's schema has it.
const DEPTH: usize = 4;
/// The singleton's import id and identity.
const SINGLETON: &str = "policy";

crate::model! {
    /// `grafana_notification_policy`'s root attributes and blocks, as the schema declares them.
    pub struct PolicyModel {
        contact_point: String,
        group_by: Vec<String>,
        group_wait: String,
        group_interval: String,
        repeat_interval: String,
        disable_provenance: bool,
        policy: Vec<Level4>,
        id: String,
        org_id: String,
    }
}

#[async_trait]
impl Resource for NotificationPolicyResource {
    fn type_name(&self) -> &'static str {
        "grafana_notification_policy"
    }

    fn schema(&self) -> Schema {
        let mut attributes = vec![
            Attribute::string("contact_point")
                .required()
                .describe("The default contact point, which gets every notification no policy below matches."),
            Attribute::of("group_by", Type::list(Type::String)).required().describe(
                "The alert labels to group alerts into notifications by; `[\"...\"]` groups by every label, which \
                    turns grouping off.",
            ),
        ];
        attributes.extend(duration_attributes());
        attributes.push(disable_provenance_attribute());
        attributes.push(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .describe("The official provider's id, `1:policy`."),
        );
        attributes.push(Attribute::string("org_id").optional_computed().use_state_for_unknown().describe(
            "The organisation. AMG workspaces have one, organisation 1: unset, `\"\"`, `\"0\"` and `\"1\"` all mean \
                it; any other value is refused at plan.",
        ));
        let mut s = Schema::new(
            "The notification policy tree of the workspace: where each alert's notifications go, grouped and timed \
                how. One per workspace: this resource manages the whole tree and replaces whatever Grafana holds; \
                destroying it resets the tree to Grafana's default. Grafana 9.1 and later; AMG 10.4 and 12.4.",
            attributes,
        )
        .with_blocks(vec![policy_block(DEPTH)]);
        // 0 is the official provider's version.
        s.version = 1;
        s
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        PolicyModel::attributes()
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(text_identity_schema("id", "Always `policy`: there is one tree per workspace."))
    }

    fn official_schema_version(&self) -> Option<i64> {
        Some(0)
    }

    /// The official provider (SDKv2) stores what nobody set as `""`, `[]` and `false`: here
    /// they are null, as a configuration that leaves them out plans them.
    fn written_elsewhere(&self, state: Value) -> Value {
        let m = PolicyModel::decode(&state);
        let mut root = root_node(&m);
        root.policy.iter_mut().for_each(tree::unset_blanks);
        with_root(m, &root).encode()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let c = PolicyModel::decode(config);
        check_org_id(&c.org_id, diags);
        if c.contact_point.as_str().is_some_and(|p| p.trim().is_empty()) {
            let d = Diagnostic::error("No default contact point", "Set `contact_point` to a contact point's name.");
            diags.push(d.at_attr("contact_point"));
        }
        check_group_by(&c.group_by, &AttrPath::attr("group_by"), diags);
        check_durations([&c.group_wait, &c.group_interval, &c.repeat_interval], &AttrPath::default(), diags);
        for (i, p) in children(&c.policy).iter().enumerate() {
            check_node(p, &AttrPath::attr("policy").index(i), diags);
        }
    }

    fn normalize_planned(&self, prior: &Value, planned: &mut Value) {
        let (prior, plan) = (PolicyModel::decode(prior), PolicyModel::decode(planned));
        let mut root = root_node(&plan);
        keep_words(&root_node(&prior), &mut root, true);
        *planned = with_root(plan, &root).encode();
    }

    async fn modify_plan(&self, ctx: &PlanCtx<'_>, planned: &mut Value, diags: &mut Diagnostics) -> Vec<AttrPath> {
        if let Some(client) = ctx.client {
            active_timings_known(client, &root_node(&PolicyModel::decode(planned)), diags).await;
        }
        Vec::new()
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let planned = PolicyModel::decode(planned);
        match ctx.client.get_policy_tree().await {
            Ok(held) => say_what_is_replaced(&held, diags),
            Err(e) => {
                diags.push(api_error("Could not read the notification policy tree", &e));
                return None;
            }
        }
        put(ctx.client, &planned, diags).await
    }

    async fn read(&self, ctx: &Ctx<'_>, prior: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let prior = PolicyModel::decode(prior);
        match ctx.client.get_policy_tree().await {
            Ok(t) => ReadOutcome::Found(state(&prior, &t, diags)),
            Err(e) => {
                diags.push(api_error("Could not read the notification policy tree", &e));
                ReadOutcome::Failed
            }
        }
    }

    async fn update(&self, ctx: &Ctx<'_>, _prior: &Value, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        put(ctx.client, &PolicyModel::decode(planned), diags).await
    }

    async fn delete(&self, ctx: &Ctx<'_>, _state: &Value, diags: &mut Diagnostics) {
        let e = match ctx.client.reset_policy_tree().await {
            Ok(()) => return,
            Err(e) => e,
        };
        // A reset whose answer was lost: done if the tree is Grafana's default now.
        let reset = e.may_have_acted()
            && ctx
                .client
                .get_policy_tree()
                .await
                .is_ok_and(|t| t.get("routes").is_none() && t.get("provenance").is_none());
        if !reset {
            diags.push(api_error("Could not reset the notification policy tree", &e));
        }
    }

    fn import_id(&self, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        // The official provider takes any id for the singleton; `policy` is the documented one.
        if let Some((org, _)) = id.split_once(':')
            && !matches!(org, "0" | "1")
            && org.bytes().all(|b| b.is_ascii_digit())
        {
            diags.push(Diagnostic::error(
                "Invalid import id",
                format!(
                    "Import the tree as `policy` (or `1:policy`): organisation {org:?} is not supported; AMG \
                    workspaces have organisation 1 only."
                ),
            ));
            return None;
        }
        Some(PolicyModel { disable_provenance: false.into(), ..Default::default() }.encode())
    }

    fn import_identity(&self, _identity: &Value, diags: &mut Diagnostics) -> Option<Value> {
        self.import_id(SINGLETON, diags)
    }

    fn identity_of(&self, _state: &Value) -> Option<Value> {
        Some(IdIdentity { id: SINGLETON.into() }.encode())
    }

    fn lister(&self) -> Option<&'static dyn Lister> {
        Some(&TREE_LIST)
    }

    fn generated_config(&self, config: Value, _state: &Value, _diags: &mut Diagnostics) -> Value {
        PolicyModel { org_id: Attr::Null, ..PolicyModel::decode(&config) }.encode()
    }
}

/// `list "grafana_notification_policy"`: the one tree, with no request.
static TREE_LIST: OneRequest = OneRequest {
    description: "The workspace's notification policy tree: always one.",
    what: "the notification policy tree",
    items: |_| {
        Box::pin(async { Ok(vec![Listed { id: SINGLETON.into(), display_name: "Notification policy tree".into() }]) })
    },
};

fn duration_attributes() -> [Attribute; 3] {
    [
        Attribute::string("group_wait").optional().describe(
            "How long to wait to buffer alerts of a new group before the first notification, e.g. `\"30s\"` (Grafana's \
                default) or `\"1m\"`.",
        ),
        Attribute::string("group_interval").optional().describe(
            "How long to wait before notifying about new alerts of a group already notified, e.g. `\"5m\"` (Grafana's \
                default).",
        ),
        Attribute::string("repeat_interval").optional().describe(
            "How long to wait before notifying again about alerts still firing, e.g. `\"4h\"` (Grafana's default). \
                Durations mean what they say in any words: `\"300s\"` and `\"5m\"` are the same.",
        ),
    ]
}

/// The `policy` block of one depth, with those under it down to depth 1.
fn policy_block(depth: usize) -> Block {
    let group_by = Attribute::of("group_by", Type::list(Type::String)).describe(
        "The labels to group alerts by; `[\"...\"]` for every label; unset: the parent's grouping (required at the \
            deepest level, as in the official provider).",
    );
    let mut attributes = vec![
        Attribute::string("contact_point")
            .optional()
            .describe("The contact point for notifications this policy matches; unset: the parent's."),
        if depth == 1 { group_by.required() } else { group_by.optional() },
        Attribute::of("mute_timings", Type::list(Type::String))
            .optional()
            .describe("Names of mute timings during which this policy's notifications are held back."),
        Attribute::of("active_timings", Type::list(Type::String)).optional().describe(
            "Names of time intervals outside which this policy's notifications are held back (Grafana 12.1 and later).",
        ),
        Attribute::bool("continue").optional().describe(
            "Go on matching the next policies after this one matches; otherwise the first match takes the alert.",
        ),
    ];
    attributes.extend(duration_attributes());
    let matcher = Block::set(
        "matcher",
        vec![
            Attribute::string("label").required().describe("The label to match."),
            Attribute::string("match")
                .required()
                .describe("The operator: `=`, `!=`, `=~` (regular expression) or `!~`."),
            Attribute::string("value").required().describe("The value, or regular expression, to match."),
        ],
    )
    .describe("Labels an alert must match, all of them; none: every alert.");
    let mut blocks = vec![matcher];
    if depth > 1 {
        blocks.push(policy_block(depth - 1));
    }
    Block::list("policy", attributes)
        .blocks(blocks)
        .describe("Policies for alerts with particular labels, tried in order; each may hold its own.")
}

/// The root as a [`Node`] (no matchers, timings or `continue` there).
fn root_node(m: &PolicyModel) -> Node {
    Node {
        contact_point: m.contact_point.clone(),
        group_by: m.group_by.clone(),
        group_wait: m.group_wait.clone(),
        group_interval: m.group_interval.clone(),
        repeat_interval: m.repeat_interval.clone(),
        policy: children(&m.policy),
        ..Default::default()
    }
}

fn with_root(m: PolicyModel, root: &Node) -> PolicyModel {
    PolicyModel {
        contact_point: root.contact_point.clone(),
        group_by: root.group_by.clone(),
        group_wait: root.group_wait.clone(),
        group_interval: root.group_interval.clone(),
        repeat_interval: root.repeat_interval.clone(),
        policy: Attr::from(root.policy.iter().map(Level4::of).collect::<Vec<_>>()),
        ..m
    }
}

/// The state for the tree Grafana holds, in the prior state's words where they mean the same;
/// a warning for policies deeper than the schema's four levels.
fn state(prior: &PolicyModel, tree: &Json, diags: &mut Diagnostics) -> Value {
    let mut cut = 0;
    let root = node_of(tree, Some(&root_node(prior)), DEPTH + 1, &mut cut);
    if cut > 0 {
        diags.push(Diagnostic::warning(
            "Policies too deep for the configuration",
            format!(
                "Grafana's notification policy tree has {cut} polic{} below the fourth level of `policy` blocks, which \
                    the configuration cannot hold: the next apply of this resource removes {}.",
                if cut == 1 { "y" } else { "ies" },
                if cut == 1 { "it" } else { "them" },
            ),
        ));
    }
    let provenance = tree.get("provenance").and_then(Json::as_str).unwrap_or("");
    let mut m = with_root(prior.clone(), &root);
    m.group_by = Attr::from(m.group_by.known().cloned().unwrap_or_default());
    m.disable_provenance = provenance_read_back(Some(provenance), &prior.disable_provenance);
    m.id = Attr::from(format!("1:{SINGLETON}"));
    m.org_id = org_id_of(&prior.org_id);
    m.encode()
}

/// Writes the planned tree and reads it back; a write whose answer was lost is confirmed by
/// the reading back.
async fn put(client: &Client, planned: &PolicyModel, diags: &mut Diagnostics) -> Option<Value> {
    if !active_timings_known(client, &root_node(planned), diags).await {
        return None;
    }
    let disable = planned.disable_provenance.is_true();
    let written = client.put_policy_tree(&route_of(&root_node(planned)), disable).await;
    if let Err(e) = &written
        && !e.may_have_acted()
    {
        diags.push(refused(e));
        return None;
    }
    let held = match client.get_policy_tree().await {
        Ok(t) => t,
        Err(e) => {
            diags.push(api_error("Could not read the notification policy tree back", &e));
            return None;
        }
    };
    let mut said = Diagnostics::default();
    let s = state(planned, &held, &mut said);
    let found = PolicyModel::decode(&s);
    let same = root_node(&found) == root_node(planned) && found.disable_provenance == planned.disable_provenance;
    match written {
        Err(e) if !same => {
            diags.push(refused(&e));
            None
        }
        _ => {
            diags.extend(said);
            Some(s)
        }
    }
}

/// Grafana before 12.1 drops `active_time_intervals` without a word (it knows no such field):
/// `active_timings` is refused there, at its path. False when it was.
async fn active_timings_known(client: &Client, root: &Node, diags: &mut Diagnostics) -> bool {
    let mut used = Vec::new();
    tree::paths_with_active_timings(root, &AttrPath::default(), &mut used);
    if used.is_empty() || client.version_at_least(12, 1).await.unwrap_or(true) {
        return true;
    }
    let version = client.version().await.unwrap_or_default();
    for at in used {
        diags.push(
            Diagnostic::error(
                "active_timings needs Grafana 12.1",
                format!(
                    "This workspace runs Grafana {version}, which does not know active time intervals and would drop \
                        them without a word. Remove `active_timings`, or use `mute_timings` for the times to hold \
                        notifications back."
                ),
            )
            .at(at),
        );
    }
    false
}

/// Grafana refused the tree: its words, at the configuration as a whole.
fn refused(e: &Error) -> Diagnostic {
    match e {
        Error::Api { status: 400, message, .. } => Diagnostic::error(
            "Grafana refused the notification policy tree",
            format!(
                "Grafana: {message}. Every contact point and mute timing the tree names must exist: refer to them \
                    through their resources (`grafana_mute_timing.x.name`) so Terraform creates them first."
            ),
        ),
        Error::Api { status: 403, message, .. } if message.contains("provenance") => {
            provenance_refused("notification policy tree", SINGLETON, message)
        }
        e => api_error("Could not write the notification policy tree", e),
    }
}

/// A create replaces the tree Grafana holds: a warning when that was more than a default tree.
fn say_what_is_replaced(held: &Json, diags: &mut Diagnostics) {
    let policies = held.get("routes").and_then(Json::as_array).map_or(0, Vec::len);
    let provisioned = held.get("provenance").and_then(Json::as_str).is_some_and(|p| !p.is_empty());
    if policies == 0 && !provisioned {
        return;
    }
    diags.push(Diagnostic::warning(
        "The notification policy tree Grafana held was replaced",
        format!(
            "Grafana held a notification policy tree with {policies} top-level polic{}{}; this resource manages the \
                whole tree, and the apply replaced it with the configured one. To start from what Grafana holds \
                instead, import it first: `terraform import <address> policy`.",
            if policies == 1 { "y" } else { "ies" },
            if provisioned { ", provisioned through the API" } else { "" },
        ),
    ));
}

#[cfg(test)]
pub(crate) mod tests;
