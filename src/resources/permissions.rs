//! What `grafana_folder_permission` and `grafana_dashboard_permission` share: the `permissions`
//! blocks, their checks, and the whole-list write and read through the legacy endpoints AMG
//! serves. A list is the object's own: what it inherits from the folders above it is read from
//! the parent folder and left out ([`Client::own_permissions`]).

use crate::diag::{Diagnostic, Diagnostics, api_error};
use crate::grafana::{
    Client, Error, PermissionItem, PermissionsOf, default_permissions, permission_level, permission_name,
};
use crate::model::{Attr, SetOf};
use crate::schema::{Attribute, Block};
use crate::value::Value;

crate::model! {
    /// One `permissions` block: for a `role`, a `team_id` or a `user_id`.
    pub struct PermissionModel {
        role: String,
        team_id: String,
        user_id: String,
        permission: String,
    }
}

/// The blocks as a model holds them.
pub type Permissions = Attr<SetOf<PermissionModel>>;

/// The `permissions` set block; `what` is "folder" or "dashboard".
pub fn permissions_block(what: &str) -> Block {
    Block::set(
        "permissions",
        vec![
            Attribute::string("role").optional().describe("The basic role: `Viewer`, `Editor` or `Admin`."),
            Attribute::string("team_id").default(Value::string("0")).describe(
                "The team's id (`grafana_team.x.id`, `<orgID>:<teamID>`, or `team_id`); `\"0\"`: not a team.",
            ),
            Attribute::string("user_id").default(Value::string("0")).describe(
                "The user's id (`data.grafana_user.x.id`); `\"0\"`: not a user. AMG users come from single \
                    sign-on: look them up once they have signed in.",
            ),
            Attribute::string("permission").required().describe("`View`, `Edit` or `Admin`."),
        ],
    )
    .describe(match what {
        "folder" => {
            "Who may do what in the folder: each block names one of `role`, `team_id` or `user_id`. What the folder \
                inherits from the folders above it is not listed here."
        }
        _ => {
            "Who may do what in the dashboard: each block names one of `role`, `team_id` or `user_id`. What the \
                dashboard inherits from its folder is not listed here."
        }
    })
}

/// Plan-time checks of each block, at `permissions`.
pub fn validate_permissions(permissions: &Permissions, diags: &mut Diagnostics) {
    for p in permissions.known().map(|s| s.0.as_slice()).unwrap_or_default() {
        if let Some(why) = invalid(p) {
            diags.push(Diagnostic::error("Invalid permission", why).at_attr("permissions"));
        }
    }
}

/// A grant written as `1:<teamID>` means the one Grafana holds as `<teamID>`: a planned block
/// that means what a prior one means takes its words (Terraform checks only a set block's count
/// against the configuration).
pub fn keep_prior_words(prior: &Permissions, planned: &mut Permissions) {
    let before = prior.known().map(|s| s.0.clone()).unwrap_or_default();
    if let Attr::Known(SetOf(blocks)) = planned {
        for b in blocks.iter_mut().filter(|b| !b.team_id.is_unknown() && !b.user_id.is_unknown()) {
            if let Some(p) = before.iter().find(|p| item(p) == item(b)) {
                *b = p.clone();
            }
        }
    }
}

/// Reads the object's own list, in the prior blocks' words where they mean the same.
pub async fn read(client: &Client, of: PermissionsOf, uid: &str, prior: &Permissions) -> Result<Permissions, Error> {
    let held = client.own_permissions(of, uid).await?;
    Ok(blocks(prior, &held))
}

/// Writes the planned list and reads it back; `None` (with a diagnostic) when Grafana refused it
/// or holds another list afterwards.
pub async fn write(
    client: &Client,
    of: PermissionsOf,
    uid: &str,
    planned: &Permissions,
    diags: &mut Diagnostics,
) -> Option<Permissions> {
    let items: Vec<PermissionItem> = planned.known().map(|s| s.0.iter().map(item).collect()).unwrap_or_default();
    if let Err(e) = client.set_permissions(of, uid, &items).await
        && !e.may_have_acted()
    {
        diags.push(refused(of, uid, &e));
        return None;
    }
    match read(client, of, uid, planned).await {
        // A write whose answer was lost counts once Grafana holds what was sent.
        Ok(held) if held == *planned => Some(held),
        Ok(_) => {
            let what = what(of);
            diags.push(Diagnostic::error(
                format!("{} permissions not as written", capitalised(what)),
                format!("Grafana holds other permissions for {what} {uid:?} than this apply wrote; apply again."),
            ));
            None
        }
        Err(e) => {
            diags.push(api_error(format!("Could not read the permissions of {} {uid:?} back", what(of)), &e));
            None
        }
    }
}

/// Gives the object Grafana's defaults for where it is: Editor: Edit and Viewer: View at the top,
/// none of its own inside a folder (it inherits the folder's). Gone already is fine.
pub async fn reset(client: &Client, of: PermissionsOf, uid: &str, diags: &mut Diagnostics) {
    let reset = async {
        let parent = client.parent_folder(of, uid).await?;
        let defaults = if parent.is_some() { Vec::new() } else { default_permissions() };
        client.set_permissions(of, uid, &defaults).await
    };
    match reset.await {
        Ok(()) => {}
        Err(e) if e.is_not_found() => {}
        Err(e) => {
            diags.push(api_error(format!("Could not give {} {uid:?} its default permissions back", what(of)), &e))
        }
    }
}

/// Why a `permissions` block is refused, if it is.
fn invalid(p: &PermissionModel) -> Option<String> {
    if let Some(level) = p.permission.as_str().filter(|l| !["View", "Edit", "Admin"].contains(l)) {
        return Some(format!("`permission` is {level:?}: use `View`, `Edit` or `Admin`."));
    }
    if let Some(role) = p.role.as_str().filter(|r| !r.is_empty() && !["Viewer", "Editor", "Admin"].contains(r)) {
        return Some(format!("`role` is {role:?}: use `Viewer`, `Editor` or `Admin`."));
    }
    if p.role.is_unknown() || p.team_id.is_unknown() || p.user_id.is_unknown() {
        return None;
    }
    let targets = [p.role.as_str().is_some_and(|r| !r.is_empty()), id_of(&p.team_id) != 0, id_of(&p.user_id) != 0];
    match targets.iter().filter(|t| **t).count() {
        1 => None,
        0 => Some("Each `permissions` block names one of `role`, `team_id` or `user_id`: it names none.".into()),
        _ => Some("Each `permissions` block names one of `role`, `team_id` or `user_id`, not several.".into()),
    }
}

/// A team or user id as written: `5`, or `<orgID>:5` (`grafana_team.x.id`); 0 for none.
fn id_of(a: &Attr<String>) -> i64 {
    let text = a.as_str().unwrap_or("0");
    text.rsplit_once(':').map_or(text, |(_, id)| id).parse().unwrap_or(0)
}

fn item(p: &PermissionModel) -> PermissionItem {
    PermissionItem {
        role: p.role.as_str().filter(|r| !r.is_empty()).map(str::to_string),
        team_id: id_of(&p.team_id),
        user_id: id_of(&p.user_id),
        permission: permission_level(p.permission.as_str().unwrap_or_default()),
        inherited: false,
    }
}

/// The blocks for what Grafana holds, in the prior blocks' words and order where they mean the
/// same (Grafana's order is its own: the role-based API answers in another than the legacy one).
fn blocks(prior: &Permissions, held: &[PermissionItem]) -> Permissions {
    let before = prior.known().map(|s| s.0.as_slice()).unwrap_or_default();
    let mut left: Vec<&PermissionItem> = held.iter().collect();
    let mut blocks = Vec::new();
    for p in before {
        if let Some(at) = left.iter().position(|h| item(p) == **h) {
            left.remove(at);
            blocks.push(p.clone());
        }
    }
    blocks.extend(left.into_iter().map(|h| PermissionModel {
        role: Attr::from_option(h.role.clone()),
        team_id: h.team_id.to_string().into(),
        user_id: h.user_id.to_string().into(),
        permission: permission_name(h.permission).into(),
    }));
    Attr::from(SetOf(blocks))
}

fn what(of: PermissionsOf) -> &'static str {
    match of {
        PermissionsOf::Folder => "folder",
        PermissionsOf::Dashboard => "dashboard",
    }
}

fn capitalised(what: &str) -> String {
    what[..1].to_uppercase() + &what[1..]
}

fn refused(of: PermissionsOf, uid: &str, e: &Error) -> Diagnostic {
    let (what, uid_attr) = match of {
        PermissionsOf::Folder => ("folder", "folder_uid"),
        PermissionsOf::Dashboard => ("dashboard", "dashboard_uid"),
    };
    match e {
        Error::Api { status: 404, .. } => Diagnostic::error(
            format!("{} not found", capitalised(what)),
            format!("No {what} has uid {uid:?}: refer to it as `grafana_{what}.x.uid` so Terraform makes it first."),
        )
        .at_attr(uid_attr),
        Error::Api { status: 400, message, .. } => Diagnostic::error(
            "Grafana refused the permissions",
            format!(
                "Grafana: {message}. Each team and user must exist: refer to teams as `grafana_team.x.id` and to \
                    users as `data.grafana_user.x.id`."
            ),
        )
        .at_attr("permissions"),
        e => api_error(format!("Could not set the permissions of {what} {uid:?}"), e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(role: Option<&str>, team: &str, user: &str, permission: &str) -> PermissionModel {
        PermissionModel {
            role: Attr::from_option(role.map(str::to_string)),
            team_id: team.into(),
            user_id: user.into(),
            permission: permission.into(),
        }
    }

    #[test]
    fn regression_a_list_grafana_answered_in_another_order_was_not_as_written() {
        let planned = Attr::from(SetOf(vec![block(Some("Editor"), "0", "0", "Edit"), block(None, "1:4", "0", "View")]));
        let editor = PermissionItem { role: Some("Editor".into()), permission: 2, ..Default::default() };
        let team = PermissionItem { team_id: 4, permission: 1, ..Default::default() };
        assert_eq!(blocks(&planned, &[team.clone(), editor]), planned, "the plan's words and order");
        // What the plan does not name comes after, in Grafana's words.
        let viewer = PermissionItem { role: Some("Viewer".into()), permission: 1, ..Default::default() };
        let Attr::Known(SetOf(held)) = blocks(&planned, &[viewer, team]) else { panic!("known") };
        assert_eq!(held, [block(None, "1:4", "0", "View"), block(Some("Viewer"), "0", "0", "View")]);
    }
}
