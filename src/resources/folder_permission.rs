//! `grafana_folder_permission`: the whole permission list of a folder, with the official
//! provider's name, schema and import ids (`uid`, `orgID:uid`), through the legacy endpoints
//! AMG serves (`/api/folders/{uid}/permissions`; AMG answers the role-based API the official
//! provider calls with 404). A write replaces the list; a destroy gives the folder back
//! Grafana's defaults, Editor: Edit and Viewer: View.

use async_trait::async_trait;

use crate::diag::{Diagnostic, Diagnostics, api_error};
use crate::framework::outcome::read_outcome;
use crate::framework::{Ctx, Listed, Lister, ReadOutcome, Resource};
use crate::grafana::{Client, Error, PermissionItem, Search};
use crate::model::{Attr, Model, SetOf};
use crate::resources::listing::OneRequest;
use crate::resources::{
    check_org_id, id_attributes, identity_uid, import_uid, org_id_of, uid_identity, uid_identity_schema,
};
use crate::schema::{Attribute, Block, Schema};
use crate::value::{Type, Value};

pub struct FolderPermissionResource;

crate::model! {
    /// `grafana_folder_permission`'s attributes and blocks.
    pub struct FolderPermissionModel {
        folder_uid: String,
        permissions: SetOf<PermissionModel>,
        id: String,
        org_id: String,
    }
}

crate::model! {
    /// One `permissions` block: for a `role`, a `team_id` or a `user_id`.
    pub struct PermissionModel {
        role: String,
        team_id: String,
        user_id: String,
        permission: String,
    }
}

#[async_trait]
impl Resource for FolderPermissionResource {
    fn type_name(&self) -> &'static str {
        "grafana_folder_permission"
    }

    fn schema(&self) -> Schema {
        let permissions = Block::set(
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
        .describe("Who may do what in the folder: each block names one of `role`, `team_id` or `user_id`.");
        let mut attributes = vec![
            Attribute::string("folder_uid")
                .required()
                .requires_replace()
                .describe("The uid of the folder. Changing it moves the permissions to another folder."),
        ];
        attributes.extend(id_attributes("folder permission"));
        Schema::new(
            "The whole permission list of a folder: permissions it does not list are removed, and destroying it \
                gives the folder back Grafana's defaults (Editor: Edit, Viewer: View). Through the permission API \
                AMG serves (`/api/folders/{uid}/permissions`); AMG does not serve the role-based API the official \
                provider calls.",
            attributes,
        )
        .with_blocks(vec![permissions])
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        FolderPermissionModel::attributes()
    }

    fn identity_schema(&self) -> Option<crate::schema::IdentitySchema> {
        Some(uid_identity_schema("The uid of the folder."))
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let c = FolderPermissionModel::decode(config);
        check_org_id(&c.org_id, diags);
        for p in c.permissions.known().map(|s| s.0.as_slice()).unwrap_or_default() {
            if let Some(why) = invalid(p) {
                diags.push(Diagnostic::error("Invalid permission", why).at_attr("permissions"));
            }
        }
    }

    /// A grant written as `1:<teamID>` means the one Grafana holds as `<teamID>`: a planned
    /// block that means what a prior one means takes its words (Terraform checks only a set
    /// block's count against the configuration).
    fn normalize_planned(&self, prior: &Value, planned: &mut Value) {
        let (prior, mut plan) = (FolderPermissionModel::decode(prior), FolderPermissionModel::decode(planned));
        let before = prior.permissions.known().map(|s| s.0.clone()).unwrap_or_default();
        if let Attr::Known(SetOf(blocks)) = &mut plan.permissions {
            for b in blocks.iter_mut().filter(|b| !b.team_id.is_unknown() && !b.user_id.is_unknown()) {
                if let Some(p) = before.iter().find(|p| item(p) == item(b)) {
                    *b = p.clone();
                }
            }
        }
        *planned = plan.encode();
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        write(ctx.client, &FolderPermissionModel::decode(planned), diags).await
    }

    async fn read(&self, ctx: &Ctx<'_>, prior: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let prior = FolderPermissionModel::decode(prior);
        let uid = prior.folder_uid.as_str().unwrap_or_default();
        read_outcome(ctx.client.folder_permissions(uid).await, "folder permissions of", uid, diags)
            .map(|items| state(&prior, uid, &items))
    }

    async fn update(&self, ctx: &Ctx<'_>, _prior: &Value, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        write(ctx.client, &FolderPermissionModel::decode(planned), diags).await
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) {
        let uid = FolderPermissionModel::decode(state).folder_uid.as_str().unwrap_or_default().to_string();
        let role = |r: &str, permission| PermissionItem { role: Some(r.into()), permission, ..Default::default() };
        match ctx.client.set_folder_permissions(&uid, &[role("Editor", 2), role("Viewer", 1)]).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => diags.push(api_error(format!("Could not give folder {uid:?} its default permissions back"), &e)),
        }
    }

    fn import_id(&self, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let uid = import_uid("folder's permission list", id, diags)?;
        Some(FolderPermissionModel { folder_uid: uid.into(), ..Default::default() }.encode())
    }

    fn import_identity(&self, identity: &Value, diags: &mut Diagnostics) -> Option<Value> {
        self.import_id(&identity_uid(identity), diags)
    }

    fn identity_of(&self, state: &Value) -> Option<Value> {
        Some(uid_identity(&FolderPermissionModel::decode(state).folder_uid))
    }

    fn lister(&self) -> Option<&'static dyn Lister> {
        Some(&FOLDER_PERMISSION_LIST)
    }

    fn generated_config(&self, config: Value, _state: &Value, _diags: &mut Diagnostics) -> Value {
        FolderPermissionModel { org_id: Attr::Null, ..FolderPermissionModel::decode(&config) }.encode()
    }
}

/// `list "grafana_folder_permission"`: the permission list of every folder (the first 1,000).
static FOLDER_PERMISSION_LIST: OneRequest = OneRequest {
    description: "The permission lists of the workspace's folders, one per folder.",
    what: "the folders (GET /api/search)",
    items: |client| {
        Box::pin(async {
            let search = Search { kind: "dash-folder", ..Default::default() };
            let hits = client.search_page(&search, 1, crate::framework::list::MAX_PAGE).await?;
            Ok(hits
                .into_iter()
                .map(|h| Listed { display_name: format!("Permissions of {}", h.title), id: h.uid })
                .collect())
        })
    },
};

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

fn level(name: &str) -> i64 {
    match name {
        "View" => 1,
        "Edit" => 2,
        _ => 4,
    }
}

fn level_name(n: i64) -> &'static str {
    match n {
        1 => "View",
        2 => "Edit",
        _ => "Admin",
    }
}

fn item(p: &PermissionModel) -> PermissionItem {
    PermissionItem {
        role: p.role.as_str().filter(|r| !r.is_empty()).map(str::to_string),
        team_id: id_of(&p.team_id),
        user_id: id_of(&p.user_id),
        permission: level(p.permission.as_str().unwrap_or_default()),
        inherited: false,
    }
}

/// Writes the planned list and reads it back.
async fn write(client: &Client, planned: &FolderPermissionModel, diags: &mut Diagnostics) -> Option<Value> {
    let uid = planned.folder_uid.as_str().unwrap_or_default();
    let items: Vec<PermissionItem> =
        planned.permissions.known().map(|s| s.0.iter().map(item).collect()).unwrap_or_default();
    if let Err(e) = client.set_folder_permissions(uid, &items).await
        && !e.may_have_acted()
    {
        diags.push(refused(uid, &e));
        return None;
    }
    match client.folder_permissions(uid).await {
        Ok(held) => {
            let s = state(planned, uid, &held);
            // A write whose answer was lost counts once Grafana holds what was sent.
            if FolderPermissionModel::decode(&s).permissions != planned.permissions {
                diags.push(Diagnostic::error(
                    "Folder permissions not as written",
                    format!("Grafana holds other permissions for folder {uid:?} than this apply wrote; apply again."),
                ));
                return None;
            }
            Some(s)
        }
        Err(e) => {
            diags.push(api_error(format!("Could not read the permissions of folder {uid:?} back"), &e));
            None
        }
    }
}

/// The state for the permissions Grafana holds (not those inherited from a parent folder), in
/// the prior blocks' words where they mean the same.
fn state(prior: &FolderPermissionModel, uid: &str, held: &[PermissionItem]) -> Value {
    let before = prior.permissions.known().map(|s| s.0.as_slice()).unwrap_or_default();
    let blocks = held
        .iter()
        .filter(|h| !h.inherited)
        .map(|h| {
            let mine = before.iter().find(|p| item(p) == PermissionItem { inherited: false, ..h.clone() });
            mine.cloned().unwrap_or_else(|| PermissionModel {
                role: Attr::from_option(h.role.clone()),
                team_id: h.team_id.to_string().into(),
                user_id: h.user_id.to_string().into(),
                permission: level_name(h.permission).into(),
            })
        })
        .collect();
    FolderPermissionModel {
        folder_uid: uid.into(),
        permissions: Attr::from(SetOf(blocks)),
        id: format!("1:{uid}").into(),
        org_id: org_id_of(&prior.org_id),
    }
    .encode()
}

fn refused(uid: &str, e: &Error) -> Diagnostic {
    match e {
        Error::Api { status: 404, .. } => Diagnostic::error(
            "Folder not found",
            format!("No folder has uid {uid:?}: refer to it as `grafana_folder.x.uid` so Terraform makes it first."),
        )
        .at_attr("folder_uid"),
        Error::Api { status: 400, message, .. } => Diagnostic::error(
            "Grafana refused the permissions",
            format!(
                "Grafana: {message}. Each team and user must exist: refer to teams as `grafana_team.x.id` and to \
                    users as `data.grafana_user.x.id`."
            ),
        )
        .at_attr("permissions"),
        e => api_error(format!("Could not set the permissions of folder {uid:?}"), e),
    }
}
