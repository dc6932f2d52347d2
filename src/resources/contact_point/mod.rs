//! `grafana_contact_point`: every integration that shares a name, with the official provider's
//! name, schema (the 22 receiver block types, `disable_provenance`), ids (`<orgID>:<name>`) and
//! import ids (`name`, `orgID:name`). Each receiver block is one Grafana integration with its
//! own uid: a create POSTs each, an update PUTs the changed ones, POSTs the new and DELETEs the
//! gone, a read is one GET by name. The blocks are data (`notifiers.rs`), and so is their
//! mapping to Grafana's settings (`settings.rs`), SNS in Grafana 10.4+'s shape included.

pub(crate) mod notifiers;
mod schema;
pub(crate) mod settings;
#[cfg(test)]
mod tests;

use async_trait::async_trait;

use crate::diag::{Diagnostic, Diagnostics, api_error};
use crate::framework::outcome::read_outcome;
use crate::framework::{Ctx, Lister, PlanCtx, ReadOutcome, Resource};
use crate::grafana::{Client, Error, Integration};
use crate::model::{Attr, Model};
use crate::resources::alerting::{
    NameIdentity, already_exists, disable_provenance_attribute, name_identity_schema, name_of_identity,
    name_of_import_id,
};
use crate::resources::listing::{OneRequest, by_name};
use crate::resources::{check_org_id, id_attributes, official_id, org_id_of};
use crate::schema::{Attribute, Schema};
use crate::value::{Type, Value};
use notifiers::{DISABLE_RESOLVE_MESSAGE, NOTIFIERS, Notifier, UID};
use schema::receiver_block;

pub struct ContactPointResource;

crate::model! {
    /// `grafana_contact_point`'s attributes; its receiver blocks are read through the notifier table.
    pub struct ContactPointModel {
        name: String,
        disable_provenance: bool,
        id: String,
        org_id: String,
    }
}

#[async_trait]
impl Resource for ContactPointResource {
    fn type_name(&self) -> &'static str {
        "grafana_contact_point"
    }

    fn schema(&self) -> Schema {
        let mut attributes = vec![
            Attribute::string("name").required().requires_replace().describe("The name of the contact point."),
            disable_provenance_attribute(),
        ];
        attributes.extend(id_attributes("contact point"));
        let mut schema = Schema::new(
            "An alerting contact point: every receiver (integration) that shares its name, one block each. On AMG, \
                `sns { topic = \"arn:aws:sns:…\" }` with no keys publishes with the workspace's IAM role; the topic \
                name must match the role's policy (`grafana*` for a service-managed workspace).",
            attributes,
        )
        .with_blocks(NOTIFIERS.iter().map(receiver_block).collect());
        // 0 is the official provider's version.
        schema.version = 1;
        schema
    }

    fn official_schema_version(&self) -> Option<i64> {
        Some(0)
    }

    /// A receiver block that means what a prior one means is the prior one: the official
    /// provider's state says `""`, `false` and `0` for what nobody set, where a configuration
    /// says nothing (Terraform checks only the count of a set of blocks against it).
    fn normalize_planned(&self, prior: &Value, planned: &mut Value) {
        for n in NOTIFIERS {
            let before = prior.get(n.block).as_list().unwrap_or_default().to_vec();
            let mut taken = vec![false; before.len()];
            if let Value::Set(blocks) = planned.get(n.block).clone() {
                let blocks = blocks
                    .into_iter()
                    .map(|b| {
                        let found =
                            before.iter().enumerate().find(|(i, p)| !taken[*i] && settings::same_meaning(n, &b, p));
                        match found {
                            Some((i, p)) => {
                                taken[i] = true;
                                p.clone()
                            }
                            None => b,
                        }
                    })
                    .collect();
                planned.set(n.block, Value::Set(blocks));
            }
        }
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        let mut attrs = ContactPointModel::attributes();
        attrs.extend(NOTIFIERS.iter().map(|n| (n.block, receiver_block(n).ty())));
        attrs
    }

    fn identity_schema(&self) -> Option<crate::schema::IdentitySchema> {
        Some(name_identity_schema("The name of the contact point."))
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        check_org_id(&ContactPointModel::decode(config).org_id, diags);
        let any = NOTIFIERS.iter().any(|n| !matches!(config.get(n.block), Value::Set(xs) if xs.is_empty()));
        if !any {
            diags.push(
                Diagnostic::error(
                    "A contact point needs a receiver",
                    "Add at least one receiver block (`email`, `slack`, `sns`, `webhook`, …) to the contact point.",
                )
                .at_attr("name"),
            );
        }
        for n in NOTIFIERS.iter().filter(|n| n.kind == "sns") {
            for b in config.get(n.block).as_list().unwrap_or_default() {
                if let Some(topic) = b.get("topic").as_str().filter(|t| settings::topic_region(t).is_none()) {
                    diags.push(
                        Diagnostic::error(
                            "Not an SNS topic ARN",
                            format!(
                                "`topic` is {topic:?}: write the topic's ARN, `arn:aws:sns:<region>:<account>:<name>` \
                                    (`aws_sns_topic.x.arn`)."
                            ),
                        )
                        .at_attr("sns"),
                    );
                }
            }
        }
    }

    /// A receiver changed in place keeps its integration (and uid): each new block of a type
    /// takes the uid of a prior block of that type that the plan no longer has.
    async fn modify_plan(
        &self,
        ctx: &PlanCtx<'_>,
        planned: &mut Value,
        diags: &mut Diagnostics,
    ) -> Vec<crate::diag::AttrPath> {
        for n in NOTIFIERS {
            let kept = uids(planned.get(n.block).as_list().unwrap_or_default());
            let free = uids(ctx.prior.get(n.block).as_list().unwrap_or_default());
            let mut free = free.into_iter().filter(|u| !kept.contains(u));
            if let Value::Set(blocks) = planned.get(n.block).clone() {
                let blocks = blocks
                    .into_iter()
                    .map(|mut b| {
                        if matches!(b.get(UID), Value::Unknown(_))
                            && let Some(uid) = free.next()
                        {
                            b.set(UID, Value::string(uid));
                        }
                        b
                    })
                    .collect();
                planned.set(n.block, Value::Set(blocks));
            }
        }
        if let Some(client) = ctx.client {
            warn_sns_topic_names(client, planned, diags).await;
        }
        Vec::new()
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let name = ContactPointModel::decode(planned).name.as_str().unwrap_or_default().to_string();
        match ctx.client.contact_point(&name).await {
            Ok(held) if !held.is_empty() => {
                diags.push(already_exists("contact point", &name));
                return None;
            }
            Ok(_) => {}
            Err(e) => {
                diags.push(api_error(format!("Could not check for contact point {name:?}"), &e));
                return None;
            }
        }
        write(ctx.client, &Value::Null, planned, diags).await
    }

    async fn read(&self, ctx: &Ctx<'_>, prior: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let name = ContactPointModel::decode(prior).name.as_str().unwrap_or_default().to_string();
        let held = match ctx.client.contact_point(&name).await {
            Ok(held) if held.is_empty() => return ReadOutcome::Gone,
            other => other,
        };
        read_outcome(held, "contact point", &name, diags).map(|held| state(prior, &held))
    }

    async fn update(&self, ctx: &Ctx<'_>, prior: &Value, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        write(ctx.client, prior, planned, diags).await
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) {
        let name = ContactPointModel::decode(state).name.as_str().unwrap_or_default().to_string();
        let held = match ctx.client.contact_point(&name).await {
            Ok(held) => held,
            Err(e) => {
                diags.push(api_error(format!("Could not read contact point {name:?}"), &e));
                return;
            }
        };
        for i in held {
            if let Err(e) = remove(ctx.client, &name, &i.uid).await {
                diags.push(refused(&name, "delete", &e));
                return;
            }
        }
    }

    fn import_id(&self, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let name = name_of_import_id(id, "contact point", diags)?;
        Some(with_blocks(
            ContactPointModel { name: name.into(), disable_provenance: false.into(), ..Default::default() },
            Vec::new(),
        ))
    }

    fn import_identity(&self, identity: &Value, diags: &mut Diagnostics) -> Option<Value> {
        self.import_id(&name_of_identity(identity), diags)
    }

    fn identity_of(&self, state: &Value) -> Option<Value> {
        Some(NameIdentity { name: ContactPointModel::decode(state).name }.encode())
    }

    fn lister(&self) -> Option<&'static dyn Lister> {
        Some(&CONTACT_POINT_LIST)
    }

    fn generated_config(&self, config: Value, _state: &Value, _diags: &mut Diagnostics) -> Value {
        let model = ContactPointModel { org_id: Attr::Null, ..ContactPointModel::decode(&config) };
        let mut out = model.encode();
        for n in NOTIFIERS {
            out.set(n.block, config.get(n.block).clone());
        }
        out
    }
}

/// `list "grafana_contact_point"`: every contact point, by name, in one request.
static CONTACT_POINT_LIST: OneRequest = OneRequest {
    description: "The workspace's contact points, by name.",
    what: "the contact points (GET /api/v1/provisioning/contact-points)",
    items: |client| {
        Box::pin(async {
            let mut names: Vec<String> = client.contact_points().await?.into_iter().map(|i| i.name).collect();
            names.dedup();
            Ok(names.into_iter().map(by_name).collect())
        })
    },
};

/// The uids a set of receiver blocks holds.
fn uids(blocks: &[Value]) -> Vec<String> {
    blocks.iter().filter_map(|b| b.get(UID).as_str().map(str::to_string)).collect()
}

/// The model's attributes with the receiver blocks added (empty sets where none are given).
fn with_blocks(model: ContactPointModel, blocks: Vec<(&'static str, Vec<Value>)>) -> Value {
    let mut v = model.encode();
    for n in NOTIFIERS {
        let xs = blocks.iter().find(|(b, _)| *b == n.block).map(|(_, xs)| xs.clone()).unwrap_or_default();
        v.set(n.block, Value::Set(xs));
    }
    v
}

/// Writes the plan's integrations (POST the new, PUT the changed, DELETE the gone), then reads
/// the contact point back.
async fn write(client: &Client, prior: &Value, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
    let model = ContactPointModel::decode(planned);
    let name = model.name.as_str().unwrap_or_default().to_string();
    let quiet = model.disable_provenance.is_true();
    let modern = client.version_at_least(10, 4).await.unwrap_or(true);
    let mut plan = planned.clone();
    for n in NOTIFIERS {
        let before: Vec<Value> = prior.get(n.block).as_list().unwrap_or_default().to_vec();
        let mut written = Vec::new();
        for b in planned.get(n.block).as_list().unwrap_or_default() {
            let mut i = Integration {
                uid: b.get(UID).as_str().unwrap_or_default().to_string(),
                name: name.clone(),
                kind: n.kind.to_string(),
                settings: settings::to_settings(n, b, modern),
                disable_resolve_message: b.get(DISABLE_RESOLVE_MESSAGE).as_bool().unwrap_or(false),
                provenance: String::new(),
            };
            let unchanged = before.iter().any(|p| p == b);
            let result = if i.uid.is_empty() {
                client.create_integration(&i, quiet).await.map(|made| i.uid = made.uid)
            } else if unchanged {
                Ok(())
            } else {
                client.update_integration(&i, quiet).await
            };
            match result {
                Ok(()) => {}
                Err(e) if e.may_have_acted() => match confirmed(client, &i).await {
                    Some(uid) => i.uid = uid,
                    None => {
                        diags.push(refused(&name, "write", &e));
                        return None;
                    }
                },
                Err(e) => {
                    diags.push(refused_receiver(&name, n, &e));
                    return None;
                }
            }
            let mut b = b.clone();
            b.set(UID, Value::string(i.uid));
            written.push(b);
        }
        let kept = uids(&written);
        for gone_uid in uids(&before).into_iter().filter(|u| !kept.contains(u)) {
            if let Err(e) = remove(client, &name, &gone_uid).await {
                diags.push(refused(&name, "delete a receiver of", &e));
                return None;
            }
        }
        plan.set(n.block, Value::Set(written));
    }
    match client.contact_point(&name).await {
        Ok(held) => Some(state(&plan, &held)),
        Err(e) => {
            diags.push(api_error(format!("Could not read contact point {name:?} back"), &e));
            None
        }
    }
}

/// After a write whose answer was lost: the uid of the integration Grafana holds as sent.
async fn confirmed(client: &Client, sent: &Integration) -> Option<String> {
    let held = client.contact_point(&sent.name).await.ok()?;
    let same = |h: &Integration| {
        h.kind == sent.kind
            && h.disable_resolve_message == sent.disable_resolve_message
            && sent.settings.iter().all(|(k, v)| h.settings.get(k).is_some_and(|x| x == v || x == settings::REDACTED))
    };
    held.iter().find(|h| (sent.uid.is_empty() || h.uid == sent.uid) && same(h)).map(|h| h.uid.clone())
}

/// Deletes an integration: done when Grafana says so, when it is not there, or when a DELETE
/// whose answer was lost is confirmed by reading the contact point back.
async fn remove(client: &Client, name: &str, uid: &str) -> Result<(), Error> {
    match client.delete_integration(uid).await {
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) if e.may_have_acted() => {
            let gone = client.contact_point(name).await.is_ok_and(|held| held.iter().all(|h| h.uid != uid));
            if gone { Ok(()) } else { Err(e) }
        }
        other => other,
    }
}

/// The state for the integrations Grafana holds, in the prior blocks' words and secrets.
fn state(prior: &Value, held: &[Integration]) -> Value {
    let p = ContactPointModel::decode(prior);
    let name = held.first().map_or_else(|| p.name.as_str().unwrap_or_default().to_string(), |i| i.name.clone());
    let mut blocks: Vec<(&'static str, Vec<Value>)> = Vec::new();
    for i in held {
        let Some(n) = notifiers::by_kind(&i.kind) else {
            tracing::warn!(kind = %i.kind, "contact point {name:?} has an integration of a type no block describes");
            continue;
        };
        let before = prior
            .get(n.block)
            .as_list()
            .unwrap_or_default()
            .iter()
            .find(|b| b.get(UID).as_str() == Some(i.uid.as_str()));
        let block = settings::to_block(n, &i.uid, i.disable_resolve_message, &i.settings, before);
        match blocks.iter_mut().find(|(b, _)| *b == n.block) {
            Some((_, xs)) => xs.push(block),
            None => blocks.push((n.block, vec![block])),
        }
    }
    let disable_provenance = Attr::from(!held.is_empty() && held.iter().all(|i| i.provenance.is_empty()));
    let model = ContactPointModel {
        name: name.clone().into(),
        disable_provenance,
        id: official_id(&p.id, &name),
        org_id: org_id_of(&p.org_id),
    };
    with_blocks(model, blocks)
}

/// A plan-time warning for each SNS topic a service-managed workspace's role may not publish to.
async fn warn_sns_topic_names(client: &Client, planned: &Value, diags: &mut Diagnostics) {
    let topics: Vec<String> = NOTIFIERS
        .iter()
        .filter(|n| n.kind == "sns")
        .flat_map(|n| planned.get(n.block).as_list().unwrap_or_default().to_vec())
        .filter_map(|b| b.get("topic").as_str().map(str::to_string))
        .filter(|t| !t.rsplit(':').next().unwrap_or_default().starts_with("grafana"))
        .collect();
    if topics.is_empty() || client.amg_service_managed().await != Some(true) {
        return;
    }
    for topic in topics {
        diags.push(
            Diagnostic::warning(
                "SNS topic outside the workspace role's policy",
                format!(
                    "This workspace is service-managed: AMG's policy lets its IAM role publish only to topics whose \
                        name starts with `grafana`, and {topic:?} does not. Name the topic `grafana…`, or give the \
                        role a policy that allows `sns:Publish` on it."
                ),
            )
            .at_attr("sns"),
        );
    }
}

fn refused_receiver(name: &str, n: &Notifier, e: &Error) -> Diagnostic {
    match e {
        Error::Api { status: 400, message, .. } => Diagnostic::error(
            "Grafana refused the receiver",
            format!("Grafana refused the `{}` receiver of contact point {name:?}: {message}", n.block),
        )
        .at_attr(n.block),
        e => refused(name, "write", e),
    }
}

fn refused(name: &str, action: &str, e: &Error) -> Diagnostic {
    match e {
        Error::Api { status: 409, message, .. } => Diagnostic::error(
            "The contact point is in use",
            format!(
                "Grafana will not {action} contact point {name:?}: {message}. A notification policy names it: change \
                    the policy (`contact_point`) first, or destroy them together so Terraform orders it."
            ),
        ),
        e => api_error(format!("Could not {action} contact point {name:?}"), e),
    }
}
