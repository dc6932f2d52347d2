//! Folder and dashboard permissions through the legacy endpoints AMG serves
//! (`/api/folders/{uid}/permissions`, `/api/dashboards/uid/{uid}/permissions`; the role-based
//! `/api/access-control/…` answers 404 there). A write replaces the object's own list; a read
//! answers it followed by every folder's above it, which Grafana's role-based store does not flag
//! as inherited: [`Client::own_permissions`] tells them apart by reading the parent folder.
//!
//! Where Grafana serves its role-based API (`/api/access-control/{folders|dashboards}/{uid}`: a
//! Grafana outside AMG; asked once per provider process), the same lists go through it instead:
//! it flags what is inherited and what is not managed, and sets grant by grant.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Client, Error, seg};

/// One permission: for a basic role, a team or a user (0 for neither); 1 View, 2 Edit, 4 Admin.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PermissionItem {
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "empty_as_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub team_id: i64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub user_id: i64,
    pub permission: i64,
    /// From a parent folder (read only).
    #[serde(default, skip_serializing)]
    pub inherited: bool,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    Ok(s.filter(|s| !s.is_empty()))
}

/// What a permission list is of.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PermissionsOf {
    Folder,
    Dashboard,
}

impl PermissionsOf {
    fn path(self, uid: &str) -> String {
        match self {
            PermissionsOf::Folder => format!("api/folders/{}/permissions", seg(uid)),
            PermissionsOf::Dashboard => format!("api/dashboards/uid/{}/permissions", seg(uid)),
        }
    }

    fn role_based_path(self, uid: &str) -> String {
        match self {
            PermissionsOf::Folder => format!("api/access-control/folders/{}", seg(uid)),
            PermissionsOf::Dashboard => format!("api/access-control/dashboards/{}", seg(uid)),
        }
    }
}

/// Grafana's own permissions of a new folder or dashboard at the top: Editor: Edit, Viewer: View.
/// One made inside a folder gets none of its own.
pub fn default_permissions() -> Vec<PermissionItem> {
    let role = |r: &str, permission| PermissionItem { role: Some(r.into()), permission, ..Default::default() };
    vec![role("Editor", 2), role("Viewer", 1)]
}

impl Client {
    /// The list as Grafana answers it: the object's own, then its folders'.
    pub async fn permissions(&self, of: PermissionsOf, uid: &str) -> Result<Vec<PermissionItem>, Error> {
        let items: Option<Vec<PermissionItem>> = self.send(Method::GET, &of.path(uid), None).await?;
        Ok(items.unwrap_or_default())
    }

    /// The folder the object is in, if any.
    pub async fn parent_folder(&self, of: PermissionsOf, uid: &str) -> Result<Option<String>, Error> {
        let parent = match of {
            PermissionsOf::Folder => self.get_folder(uid).await?.parent_uid,
            PermissionsOf::Dashboard => Some(self.get_dashboard(uid).await?.folder_uid),
        };
        Ok(parent.filter(|p| !p.is_empty()))
    }

    /// The object's own permissions. Through the legacy API: its list less its folder's list
    /// (each of the folder's items taken out once), less what Grafana flags as inherited;
    /// through the role-based API, what it says is managed and not inherited. Both first read
    /// the object, which answers 404 when it is gone.
    pub async fn own_permissions(&self, of: PermissionsOf, uid: &str) -> Result<Vec<PermissionItem>, Error> {
        let parent = self.parent_folder(of, uid).await?;
        if self.role_based().await? {
            return self.managed_permissions(of, uid).await;
        }
        let mut items: Vec<PermissionItem> =
            self.permissions(of, uid).await?.into_iter().filter(|i| !i.inherited).collect();
        if let Some(p) = &parent {
            for above in self.permissions(PermissionsOf::Folder, p).await? {
                let above = PermissionItem { inherited: false, ..above };
                if let Some(at) = items.iter().rposition(|i| *i == above) {
                    items.remove(at);
                }
            }
        }
        Ok(items)
    }

    /// Replaces the object's own list: one POST of the whole list through the legacy API; through
    /// the role-based API, a read of the grants, then one POST of those to remove and to set.
    pub async fn set_permissions(&self, of: PermissionsOf, uid: &str, items: &[PermissionItem]) -> Result<(), Error> {
        if !self.role_based().await? {
            let _: serde_json::Value = self.send(Method::POST, &of.path(uid), Some(&json!({ "items": items }))).await?;
            return Ok(());
        }
        let current = self.managed_permissions(of, uid).await?;
        let same_grantee =
            |a: &PermissionItem, b: &PermissionItem| (&a.role, a.team_id, a.user_id) == (&b.role, b.team_id, b.user_id);
        let removed = current.iter().filter(|c| !items.iter().any(|i| same_grantee(c, i)));
        let mut commands: Vec<serde_json::Value> = removed.map(|c| command(c, "")).collect();
        commands
            .extend(items.iter().filter(|i| !current.contains(i)).map(|i| command(i, permission_name(i.permission))));
        let body = json!({ "permissions": commands });
        let _: serde_json::Value = self.send(Method::POST, &of.role_based_path(uid), Some(&body)).await?;
        Ok(())
    }

    /// Whether this Grafana serves the role-based permission API (AMG answers 404).
    async fn role_based(&self) -> Result<bool, Error> {
        let probe = || async {
            match self.send::<serde_json::Value>(Method::GET, "api/access-control/dashboards/description", None).await {
                Ok(_) => Ok(true),
                Err(e) if e.is_not_found() => Ok(false),
                Err(e) => Err(e),
            }
        };
        self.role_based.get_or_try_init(probe).await.copied()
    }

    /// The object's managed grants that are its own, through the role-based API.
    async fn managed_permissions(&self, of: PermissionsOf, uid: &str) -> Result<Vec<PermissionItem>, Error> {
        let all: Vec<ResourcePermission> = self.send(Method::GET, &of.role_based_path(uid), None).await?;
        Ok(all
            .into_iter()
            .filter(|p| p.is_managed && !p.is_inherited)
            .map(|p| PermissionItem {
                role: Some(p.built_in_role).filter(|r| !r.is_empty()),
                team_id: p.team_id,
                user_id: p.user_id,
                permission: permission_level(&p.permission),
                inherited: false,
            })
            .collect())
    }
}

/// One entry of the role-based API's list (`resourcePermissionDTO`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourcePermission {
    #[serde(default)]
    built_in_role: String,
    #[serde(default)]
    team_id: i64,
    #[serde(default)]
    user_id: i64,
    #[serde(default)]
    permission: String,
    #[serde(default)]
    is_managed: bool,
    #[serde(default)]
    is_inherited: bool,
}

/// A `SetResourcePermissionCommand`; `""` removes the grant.
fn command(item: &PermissionItem, permission: &str) -> serde_json::Value {
    match (&item.role, item.team_id, item.user_id) {
        (Some(role), _, _) => json!({"builtInRole": role, "permission": permission}),
        (None, team, 0) => json!({"teamId": team, "permission": permission}),
        (None, _, user) => json!({"userId": user, "permission": permission}),
    }
}

/// A level's number: `View` 1, `Edit` 2, `Admin` 4.
pub fn permission_level(name: &str) -> i64 {
    match name {
        "View" => 1,
        "Edit" => 2,
        _ => 4,
    }
}

/// A level's name.
pub fn permission_name(n: i64) -> &'static str {
    match n {
        1 => "View",
        2 => "Edit",
        _ => "Admin",
    }
}
