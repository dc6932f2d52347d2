//! Teams: `/api/teams`, their members (users who signed in) and preferences.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Client, Error};

/// A team as Grafana answers it (`TeamDTO`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Team {
    pub id: i64,
    /// Grafana 11 and later.
    #[serde(default)]
    pub uid: Option<String>,
    pub name: String,
    #[serde(default)]
    pub email: String,
}

/// A member of a team (`TeamMemberDTO`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    pub user_id: i64,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub login: String,
    /// Where a membership was synced from (`["LDAP"]`, …); empty when added through the API.
    #[serde(default)]
    pub labels: Option<Vec<String>>,
}

/// A team's preferences; `""` is Grafana's default.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TeamPreferences {
    #[serde(default)]
    pub theme: String,
    #[serde(default, rename = "homeDashboardUID")]
    pub home_dashboard_uid: String,
    #[serde(default)]
    pub timezone: String,
    #[serde(default)]
    pub week_start: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    team_id: i64,
}

#[derive(Deserialize)]
struct Found {
    #[serde(default)]
    teams: Vec<Team>,
}

impl Client {
    /// Creates a team; Grafana refuses a name it holds (409). The new team's id.
    pub async fn create_team(&self, name: &str, email: &str) -> Result<i64, Error> {
        let c: Created = self.send(Method::POST, "api/teams", Some(&json!({"name": name, "email": email}))).await?;
        Ok(c.team_id)
    }

    pub async fn get_team(&self, id: i64) -> Result<Team, Error> {
        self.send(Method::GET, &format!("api/teams/{id}"), None).await
    }

    pub async fn update_team(&self, id: i64, name: &str, email: &str) -> Result<(), Error> {
        let body = json!({"name": name, "email": email});
        let _: serde_json::Value = self.send(Method::PUT, &format!("api/teams/{id}"), Some(&body)).await?;
        Ok(())
    }

    pub async fn delete_team(&self, id: i64) -> Result<(), Error> {
        let _: serde_json::Value = self.send(Method::DELETE, &format!("api/teams/{id}"), None).await?;
        Ok(())
    }

    /// The teams named exactly `name`, or every team (Grafana's first page of 1,000) for None.
    pub async fn teams(&self, name: Option<&str>) -> Result<Vec<Team>, Error> {
        let q: String =
            url::form_urlencoded::Serializer::new(String::new()).append_pair("name", name.unwrap_or_default()).finish();
        let found: Found = self.send(Method::GET, &format!("api/teams/search?{q}"), None).await?;
        Ok(found.teams)
    }

    pub async fn team_members(&self, id: i64) -> Result<Vec<TeamMember>, Error> {
        let members: Option<Vec<TeamMember>> = self.send(Method::GET, &format!("api/teams/{id}/members"), None).await?;
        Ok(members.unwrap_or_default())
    }

    pub async fn add_team_member(&self, id: i64, user_id: i64) -> Result<(), Error> {
        let body = json!({"userId": user_id});
        let _: serde_json::Value = self.send(Method::POST, &format!("api/teams/{id}/members"), Some(&body)).await?;
        Ok(())
    }

    pub async fn remove_team_member(&self, id: i64, user_id: i64) -> Result<(), Error> {
        let path = format!("api/teams/{id}/members/{user_id}");
        let _: serde_json::Value = self.send(Method::DELETE, &path, None).await?;
        Ok(())
    }

    pub async fn team_preferences(&self, id: i64) -> Result<TeamPreferences, Error> {
        self.send(Method::GET, &format!("api/teams/{id}/preferences"), None).await
    }

    pub async fn put_team_preferences(&self, id: i64, p: &TeamPreferences) -> Result<(), Error> {
        let _: serde_json::Value = self.send_json(Method::PUT, &format!("api/teams/{id}/preferences"), p).await?;
        Ok(())
    }
}
