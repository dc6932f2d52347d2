//! `grafana_dashboard_permission`: the whole permission list of a dashboard, with the official
//! provider's name, schema and import ids (`uid`, `orgID:uid`), through the legacy endpoints
//! AMG serves (`/api/dashboards/uid/{uid}/permissions`; AMG answers the role-based API the
//! official provider calls with 404). A write replaces the dashboard's own list (what it inherits
//! from its folder is not its own, and is left out of state); a destroy gives the dashboard back
//! Grafana's defaults for where it is.

use async_trait::async_trait;

use crate::diag::{Diagnostic, Diagnostics};
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

pub struct DashboardPermissionResource;

crate::model! {
    /// `grafana_dashboard_permission`'s attributes and blocks.
    pub struct DashboardPermissionModel {
        dashboard_uid: String,
        permissions: SetOf<PermissionModel>,
        id: String,
        org_id: String,
    }
}

#[async_trait]
impl Resource for DashboardPermissionResource {
    fn type_name(&self) -> &'static str {
        "grafana_dashboard_permission"
    }

    fn schema(&self) -> Schema {
        let mut attributes = vec![
            // Optional and computed in the official schema; a configuration without it is refused at plan.
            Attribute::string("dashboard_uid").optional_computed().requires_replace().describe(
                "The uid of the dashboard (`grafana_dashboard.x.uid`). Changing it moves the permissions to \
                    another dashboard.",
            ),
        ];
        attributes.extend(id_attributes("dashboard permission"));
        Schema::new(
            "The whole permission list of a dashboard: permissions it does not list are removed, and destroying \
                it gives the dashboard back Grafana's defaults (Editor: Edit, Viewer: View in the General folder; \
                none of its own in a folder, whose permissions it inherits). What it inherits from its folder is \
                not part of this list. Through the permission API AMG serves \
                (`/api/dashboards/uid/{uid}/permissions`); AMG does not serve the role-based API the official provider \
                calls; where a Grafana serves it, it is used instead (asked once per run).",
            attributes,
        )
        .with_blocks(vec![permissions::permissions_block("dashboard")])
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        DashboardPermissionModel::attributes()
    }

    fn identity_schema(&self) -> Option<crate::schema::IdentitySchema> {
        Some(uid_identity_schema("The uid of the dashboard."))
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let c = DashboardPermissionModel::decode(config);
        check_org_id(&c.org_id, diags);
        if c.dashboard_uid.is_null() || c.dashboard_uid.as_str() == Some("") {
            diags.push(
                Diagnostic::error(
                    "Missing dashboard",
                    "Set `dashboard_uid` to the dashboard's uid, as `grafana_dashboard.x.uid`.",
                )
                .at_attr("dashboard_uid"),
            );
        }
        permissions::validate_permissions(&c.permissions, diags);
    }

    fn normalize_planned(&self, prior: &Value, planned: &mut Value) {
        let mut plan = DashboardPermissionModel::decode(planned);
        permissions::keep_prior_words(&DashboardPermissionModel::decode(prior).permissions, &mut plan.permissions);
        *planned = plan.encode();
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        write(ctx, &DashboardPermissionModel::decode(planned), diags).await
    }

    async fn read(&self, ctx: &Ctx<'_>, prior: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let prior = DashboardPermissionModel::decode(prior);
        let uid = prior.dashboard_uid.as_str().unwrap_or_default();
        let held = permissions::read(ctx.client, Of::Dashboard, uid, &prior.permissions).await;
        read_outcome(held, "dashboard permissions of", uid, diags).map(|held| state(&prior, uid, held))
    }

    async fn update(&self, ctx: &Ctx<'_>, _prior: &Value, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        write(ctx, &DashboardPermissionModel::decode(planned), diags).await
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) {
        let uid = DashboardPermissionModel::decode(state).dashboard_uid.as_str().unwrap_or_default().to_string();
        permissions::reset(ctx.client, Of::Dashboard, &uid, diags).await;
    }

    fn import_id(&self, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let uid = import_uid("dashboard's permission list", id, diags)?;
        Some(DashboardPermissionModel { dashboard_uid: uid.into(), ..Default::default() }.encode())
    }

    fn import_identity(&self, identity: &Value, diags: &mut Diagnostics) -> Option<Value> {
        self.import_id(&identity_uid(identity), diags)
    }

    fn identity_of(&self, state: &Value) -> Option<Value> {
        Some(uid_identity(&DashboardPermissionModel::decode(state).dashboard_uid))
    }

    fn lister(&self) -> Option<&'static dyn Lister> {
        Some(&DASHBOARD_PERMISSION_LIST)
    }

    fn generated_config(&self, config: Value, _state: &Value, _diags: &mut Diagnostics) -> Value {
        DashboardPermissionModel { org_id: Attr::Null, ..DashboardPermissionModel::decode(&config) }.encode()
    }
}

/// `list "grafana_dashboard_permission"`: the permission list of every dashboard
/// `list "grafana_dashboard"` lists, with its filters and pages.
static DASHBOARD_PERMISSION_LIST: PermissionsOf = PermissionsOf {
    of: &crate::resources::dashboard::DashboardList,
    description: "The permission lists of the workspace's dashboards, one per dashboard, with `grafana_dashboard`'s \
        filters.",
};

async fn write(ctx: &Ctx<'_>, planned: &DashboardPermissionModel, diags: &mut Diagnostics) -> Option<Value> {
    let uid = planned.dashboard_uid.as_str().unwrap_or_default();
    let held = permissions::write(ctx.client, Of::Dashboard, uid, &planned.permissions, diags).await?;
    Some(state(planned, uid, held))
}

fn state(prior: &DashboardPermissionModel, uid: &str, permissions: permissions::Permissions) -> Value {
    DashboardPermissionModel {
        dashboard_uid: uid.into(),
        permissions,
        id: format!("1:{uid}").into(),
        org_id: org_id_of(&prior.org_id),
    }
    .encode()
}
