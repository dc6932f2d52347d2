//! Managed resource types, one file each, read top-down: schema → validate/plan → create,
//! read, update, delete → import → helpers → tests.

use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::Resource;
use crate::model::{Attr, Model};
use crate::schema::{Attribute, IdentityAttribute, IdentitySchema};
use crate::value::{Type, Value};

mod alerting;
pub mod contact_point;
pub mod dashboard;
pub mod dashboard_permission;
pub mod datasource;
pub mod folder;
pub mod folder_permission;
mod listing;
pub mod message_template;
pub mod mute_timing;
pub mod notification_policy;
mod permissions;
pub mod rule_group;
pub mod team;
pub mod user;

/// Every resource type this provider serves.
pub fn all() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(folder::FolderResource),
        Arc::new(dashboard::DashboardResource),
        Arc::new(datasource::DataSourceResource { type_name: "grafana_datasource" }),
        // The official provider's name for the same resource: its configurations run unchanged.
        Arc::new(datasource::DataSourceResource { type_name: "grafana_data_source" }),
        Arc::new(message_template::MessageTemplateResource),
        Arc::new(mute_timing::MuteTimingResource),
        Arc::new(contact_point::ContactPointResource),
        Arc::new(notification_policy::NotificationPolicyResource),
        Arc::new(rule_group::RuleGroupResource),
        Arc::new(team::TeamResource),
        Arc::new(folder_permission::FolderPermissionResource),
        Arc::new(dashboard_permission::DashboardPermissionResource),
        // Served only to be refused, saying what to use instead (AMG users come from single sign-on).
        Arc::new(user::UserResource),
    ]
}

pub use crate::grafana::check_uid;

/// A fresh uid for an object whose configuration sets none: `tf` and 24 random hex digits.
///
/// Chosen by the provider at apply time (never derived from the content: two resources with the
/// same content must not share one object), and sent with the create, so a create whose answer
/// is lost is confirmed by reading this uid back rather than repeated.
pub fn new_uid() -> String {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 12];
    ring::rand::SystemRandom::new().fill(&mut b).expect("the system's random source");
    format!("tf{}", b.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// The official provider's `id`, `<orgID>:<uid>`: the one in `prior` while it names the same
/// uid (a state written by the official provider keeps its `0:` or `1:`), else `1:<uid>`
/// (organisation 1, the only one on AMG).
pub fn official_id(prior: &Attr<String>, uid: &str) -> Attr<String> {
    match prior.as_str() {
        Some(id) if id.split_once(':').is_some_and(|(org, u)| u == uid && matches!(org, "0" | "1")) => prior.clone(),
        _ => Attr::from(format!("1:{uid}")),
    }
}

/// `org_id` as stored: the prior value while known (`0` from the official provider, or `1`),
/// else `1`.
pub fn org_id_of(prior: &Attr<String>) -> Attr<String> {
    match prior.as_str() {
        Some(o) if !o.is_empty() => prior.clone(),
        _ => Attr::from("1"),
    }
}

/// The official `id` and `org_id` attributes every shared type has.
pub fn id_attributes(kind: &str) -> [Attribute; 2] {
    [
        Attribute::string("id").computed().use_state_for_unknown().describe(match kind {
            "folder" => {
                "The official provider's id of the folder, `<orgID>:<uid>` (so `grafana_folder.x.id` works wherever a \
                    folder uid is expected)."
            }
            "dashboard" => "The official provider's id of the dashboard, `<orgID>:<uid>`.",
            "mute timing" => "The official provider's id of the mute timing, `<orgID>:<name>`.",
            "team" => "The official provider's id of the team, `<orgID>:<teamID>`.",
            "contact point" => "The official provider's id of the contact point, `<orgID>:<name>`.",
            "folder permission" => "The official provider's id, `<orgID>:<folderUID>`.",
            "dashboard permission" => "The official provider's id, `<orgID>:<dashboardUID>`.",
            "rule group" => "The official provider's id of the rule group, `<orgID>:<folderUID>:<name>`.",
            _ => "The official provider's id of the data source, `<orgID>:<uid>`.",
        }),
        Attribute::string("org_id").optional_computed().use_state_for_unknown().describe(
            "The organisation. AMG workspaces have one, organisation 1: unset, `\"\"`, `\"0\"` and `\"1\"` all mean \
                it; any other value is refused at plan. Accepted for configurations written for the official provider.",
        ),
    ]
}

/// The official `id` and `org_id` of a lookup: `org_id` may be set (to AMG's one organisation).
pub fn lookup_id_attributes() -> [Attribute; 2] {
    [
        Attribute::string("id").computed().describe("The official provider's id of the object found, `<orgID>:<uid>`."),
        Attribute::string("org_id").optional_computed().describe(
            "The organisation to look in. AMG workspaces have one, organisation 1: unset, `\"\"`, `\"0\"` and `\"1\"` \
                all mean it; any other value is refused at plan.",
        ),
    ]
}

/// `org_id` other than the one organisation AMG has, refused at plan.
pub fn check_org_id(org_id: &Attr<String>, diags: &mut Diagnostics) {
    if let Some(o) = org_id.as_str()
        && !matches!(o, "" | "0" | "1")
    {
        diags.push(
            Diagnostic::error(
                "Unsupported organisation",
                format!(
                    "`org_id` is {o:?}, but an AMG workspace has one organisation, 1. Remove `org_id`, or set it to \
                        \"1\"."
                ),
            )
            .at_attr("org_id"),
        );
    }
}

/// A folder reference as the official provider accepts it: a uid, or `<orgID>:<uid>` (a
/// `grafana_folder.x.id`). The uid.
pub fn folder_uid_of(reference: &str) -> &str {
    match reference.split_once(':') {
        Some(("0" | "1", uid)) => uid,
        _ => reference,
    }
}

/// Splits an import id `uid` or `orgID:uid`; only organisation 1 exists on AMG.
pub fn parse_import_id(id: &str) -> Result<String, String> {
    let uid = match id.split_once(':') {
        None => id,
        Some(("1", uid)) => uid,
        Some((org, _)) => {
            return Err(format!(
                "organisation {org:?} is not supported; AMG workspaces have organisation 1 only, so use `<uid>` or \
                    `1:<uid>`"
            ));
        }
    };
    check_uid(uid).map_err(|e| format!("the uid {uid:?} {e}"))?;
    Ok(uid.to_string())
}

/// The identity of every uid-keyed Grafana object: `{uid}`.
pub fn uid_identity_schema(description: &'static str) -> IdentitySchema {
    text_identity_schema("uid", description)
}

/// An identity of one text attribute, `name` (`uid`, `name`, `id`), required for import.
pub fn text_identity_schema(name: &'static str, description: &'static str) -> IdentitySchema {
    IdentitySchema {
        version: 0,
        attributes: vec![IdentityAttribute { name, ty: Type::String, description, required_for_import: true }],
    }
}

crate::model! {
    /// The identity of an object known by a numeric id or a fixed word: `{id}` (a team, the
    /// notification policy tree).
    pub struct IdIdentity {
        id: String,
    }
}

/// `{uid}` from a state.
pub fn uid_identity(uid: &Attr<String>) -> Value {
    UidIdentity { uid: uid.clone() }.encode()
}

crate::model! {
    /// The identity of every uid-keyed Grafana object.
    pub struct UidIdentity {
        uid: String,
    }
}

/// The uid of an identity object (`import { identity = { uid = … } }`).
pub fn identity_uid(identity: &Value) -> String {
    UidIdentity::decode(identity).uid.as_str().unwrap_or_default().to_string()
}

/// The uid in an import id, or an error diagnostic saying how to import a `kind`.
pub fn import_uid(kind: &str, id: &str, diags: &mut Diagnostics) -> Option<String> {
    match parse_import_id(id) {
        Ok(uid) => Some(uid),
        Err(e) => {
            diags.push(Diagnostic::error(
                "Invalid import id",
                format!("Import a {kind} by its uid (`<uid>` or `1:<uid>`): {e}."),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_resource_model_matches_its_schema() {
        for r in super::all() {
            crate::model::check_against_schema(r.type_name(), r.model_attributes(), &r.schema()).unwrap();
        }
    }
}
