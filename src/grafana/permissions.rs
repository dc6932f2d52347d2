//! Folder and dashboard permissions through the legacy endpoints AMG serves
//! (`/api/folders/{uid}/permissions`, `/api/dashboards/uid/{uid}/permissions`; the role-based
//! `/api/access-control/…` answers 404 there). A write replaces the object's own list; a read
//! answers it followed by every folder's above it, which Grafana's role-based store does not flag
//! as inherited: [`Client::own_permissions`] tells them apart by reading the parent folder.

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

    /// The object's own permissions, and the folder it is in: its list less its folder's list
    /// (each of the folder's items taken out once), less what Grafana flags as inherited.
    pub async fn own_permissions(
        &self,
        of: PermissionsOf,
        uid: &str,
    ) -> Result<(Vec<PermissionItem>, Option<String>), Error> {
        let parent = self.parent_folder(of, uid).await?;
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
        Ok((items, parent))
    }

    /// Replaces the object's own list.
    pub async fn set_permissions(&self, of: PermissionsOf, uid: &str, items: &[PermissionItem]) -> Result<(), Error> {
        let _: serde_json::Value = self.send(Method::POST, &of.path(uid), Some(&json!({ "items": items }))).await?;
        Ok(())
    }
}
