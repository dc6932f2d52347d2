//! `grafana_folder_permission`: the whole permission list of a folder, with the official
//! provider's name, schema and import ids (`uid`, `orgID:uid`), through the legacy endpoints
//! AMG serves (`/api/folders/{uid}/permissions`; AMG answers the role-based API the official
//! provider calls with 404). A write replaces the list; a destroy gives the folder back
//! Grafana's defaults: Editor: Edit and Viewer: View, or none of its own in a parent folder.

use async_trait::async_trait;

use crate::diag::Diagnostics;
use crate::framework::outcome::read_outcome;
use crate::framework::{Ctx, Lister, ReadOutcome, Resource};
use crate::grafana::PermissionsOf as Of;
use crate::model::{Attr, Model, SetOf};
use crate::resources::listing::PermissionsOf;
use crate::resources::permissions::{self, PermissionModel};
use crate::resources::{
    check_org_id, id_attributes, identity_uid, import_uid, org_id_of, uid_identity, uid_identity_schema,
};
use crate::schema::{Attribute, Schema};
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

#[async_trait]
impl Resource for FolderPermissionResource {
    fn type_name(&self) -> &'static str {
        "grafana_folder_permission"
    }

    fn schema(&self) -> Schema {
        let mut attributes = vec![
            Attribute::string("folder_uid")
                .required()
                .requires_replace()
                .describe("The uid of the folder. Changing it moves the permissions to another folder."),
        ];
        attributes.extend(id_attributes("folder permission"));
        Schema::new(
            "The whole permission list of a folder: permissions it does not list are removed, and destroying it \
                gives the folder back Grafana's defaults (Editor: Edit, Viewer: View; none of its own for a folder \
                in a folder, which inherits its parent's). Through the permission API AMG serves \
                (`/api/folders/{uid}/permissions`); AMG does not serve the role-based API the official provider \
                calls; where a Grafana serves it, it is used instead (asked once per run).",
            attributes,
        )
        .with_blocks(vec![permissions::permissions_block("folder")])
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
        permissions::validate_permissions(&c.permissions, diags);
    }

    fn normalize_planned(&self, prior: &Value, planned: &mut Value) {
        let mut plan = FolderPermissionModel::decode(planned);
        permissions::keep_prior_words(&FolderPermissionModel::decode(prior).permissions, &mut plan.permissions);
        *planned = plan.encode();
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        write(ctx, &FolderPermissionModel::decode(planned), diags).await
    }

    async fn read(&self, ctx: &Ctx<'_>, prior: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let prior = FolderPermissionModel::decode(prior);
        let uid = prior.folder_uid.as_str().unwrap_or_default();
        let held = permissions::read(ctx.client, Of::Folder, uid, &prior.permissions).await;
        read_outcome(held, "folder permissions of", uid, diags).map(|held| state(&prior, uid, held))
    }

    async fn update(&self, ctx: &Ctx<'_>, _prior: &Value, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        write(ctx, &FolderPermissionModel::decode(planned), diags).await
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) {
        let uid = FolderPermissionModel::decode(state).folder_uid.as_str().unwrap_or_default().to_string();
        permissions::reset(ctx.client, Of::Folder, &uid, diags).await;
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

/// `list "grafana_folder_permission"`: the permission list of every folder `list "grafana_folder"` lists,
/// with its filters and pages.
static FOLDER_PERMISSION_LIST: PermissionsOf = PermissionsOf {
    of: &crate::resources::folder::FolderList,
    description: "The permission lists of the workspace's folders, one per folder, with `grafana_folder`'s filters \
        (`parent_uid`).",
};

async fn write(ctx: &Ctx<'_>, planned: &FolderPermissionModel, diags: &mut Diagnostics) -> Option<Value> {
    let uid = planned.folder_uid.as_str().unwrap_or_default();
    let held = permissions::write(ctx.client, Of::Folder, uid, &planned.permissions, diags).await?;
    Some(state(planned, uid, held))
}

fn state(prior: &FolderPermissionModel, uid: &str, permissions: permissions::Permissions) -> Value {
    FolderPermissionModel {
        folder_uid: uid.into(),
        permissions,
        id: format!("1:{uid}").into(),
        org_id: org_id_of(&prior.org_id),
    }
    .encode()
}
