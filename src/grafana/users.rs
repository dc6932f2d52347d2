//! The organisation's users (`/api/org/users`): on AMG they come from IAM Identity Center or
//! SAML and appear on their first sign-in, so they are looked up, never made.

use reqwest::Method;
use serde::Deserialize;

use super::{Client, Error};

/// A user of the organisation, as `GET /api/org/users` answers (`OrgUserDTO`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrgUser {
    pub user_id: i64,
    pub login: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    /// `Admin`, `Editor` or `Viewer`.
    #[serde(default)]
    pub role: String,
}

impl Client {
    /// The organisation's users whose login, email or name contains `query` (all for `""`).
    pub async fn org_users(&self, query: &str) -> Result<Vec<OrgUser>, Error> {
        let path = if query.is_empty() {
            "api/org/users".to_string()
        } else {
            let q: String = url::form_urlencoded::Serializer::new(String::new()).append_pair("query", query).finish();
            format!("api/org/users?{q}")
        };
        let users: Option<Vec<OrgUser>> = self.send(Method::GET, &path, None).await?;
        Ok(users.unwrap_or_default())
    }
}
