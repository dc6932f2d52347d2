//! Folder permissions through the legacy endpoints AMG serves (`/api/folders/{uid}/permissions`;
//! the role-based `/api/access-control/…` answers 404 there). A write replaces the whole list.

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

impl Client {
    pub async fn folder_permissions(&self, uid: &str) -> Result<Vec<PermissionItem>, Error> {
        let items: Option<Vec<PermissionItem>> = self.send(Method::GET, &permissions_path(uid), None).await?;
        Ok(items.unwrap_or_default())
    }

    /// Replaces the folder's whole list.
    pub async fn set_folder_permissions(&self, uid: &str, items: &[PermissionItem]) -> Result<(), Error> {
        let _: serde_json::Value =
            self.send(Method::POST, &permissions_path(uid), Some(&json!({ "items": items }))).await?;
        Ok(())
    }
}

fn permissions_path(uid: &str) -> String {
    format!("api/folders/{}/permissions", seg(uid))
}
