//! Dashboards: `POST /api/dashboards/db`, `GET`/`DELETE /api/dashboards/uid/:uid`, `GET /api/search`.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Client, Error, seg};

/// What a save asks of Grafana.
pub struct SaveDashboard {
    /// The dashboard JSON, with `uid` set and, for an update, the `version` last seen.
    pub dashboard: Map<String, Value>,
    pub folder_uid: Option<String>,
    pub message: Option<String>,
}

/// Grafana's answer to a save.
#[derive(Clone, Debug, Deserialize)]
pub struct Saved {
    pub id: i64,
    pub uid: String,
    pub url: String,
    pub version: i64,
}

/// A dashboard and the metadata the provider uses.
#[derive(Clone, Debug)]
pub struct Dashboard {
    pub json: Map<String, Value>,
    pub id: i64,
    pub version: i64,
    /// `""` at the root.
    pub folder_uid: String,
    pub folder_title: String,
    pub url: String,
    pub slug: String,
    pub is_starred: bool,
}

/// A search hit for a dashboard.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DashboardHit {
    pub uid: String,
    pub title: String,
    #[serde(default)]
    pub folder_uid: Option<String>,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

impl Client {
    pub async fn save_dashboard(&self, req: &SaveDashboard) -> Result<Saved, Error> {
        // Never `overwrite: true`: on Grafana 10.4 it lets a save whose title is already used in
        // the folder take over that other dashboard, whatever uid was sent. Callers that mean to
        // save over a newer version send that version instead.
        let mut body = json!({ "dashboard": req.dashboard, "overwrite": false });
        if let Some(f) = &req.folder_uid {
            body["folderUid"] = json!(f);
        }
        if let Some(m) = &req.message {
            body["message"] = json!(m);
        }
        self.send(Method::POST, "api/dashboards/db", Some(&body)).await
    }

    pub async fn get_dashboard(&self, uid: &str) -> Result<Dashboard, Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Meta {
            #[serde(default)]
            version: i64,
            #[serde(default)]
            folder_uid: String,
            #[serde(default)]
            folder_title: String,
            #[serde(default)]
            url: String,
            #[serde(default)]
            slug: String,
            #[serde(default)]
            is_starred: bool,
        }
        #[derive(Deserialize)]
        struct Resp {
            dashboard: Map<String, Value>,
            meta: Meta,
        }
        let r: Resp = self.send(Method::GET, &format!("api/dashboards/uid/{}", seg(uid)), None).await?;
        let id = r.dashboard.get("id").and_then(Value::as_i64).unwrap_or(0);
        let version = r.dashboard.get("version").and_then(Value::as_i64).unwrap_or(r.meta.version);
        Ok(Dashboard {
            json: r.dashboard,
            id,
            version,
            folder_uid: r.meta.folder_uid,
            folder_title: r.meta.folder_title,
            url: r.meta.url,
            slug: r.meta.slug,
            is_starred: r.meta.is_starred,
        })
    }

    /// The uid of the dashboard with Grafana's numeric id `id` (`/api/search?dashboardIds=`),
    /// if there is one.
    pub async fn dashboard_uid_by_id(&self, id: i64) -> Result<Option<String>, Error> {
        let hits: Vec<DashboardHit> =
            self.send(Method::GET, &format!("api/search?type=dash-db&dashboardIds={id}"), None).await?;
        Ok(hits.into_iter().next().map(|h| h.uid))
    }

    /// Moves a dashboard to another folder (`""`: the General folder) and nothing else: its
    /// JSON as Grafana holds it, saved with the version just read, so a concurrent edit is
    /// refused (412) rather than lost. Keeps its id and history.
    pub async fn move_dashboard(&self, uid: &str, folder_uid: &str) -> Result<Saved, Error> {
        let d = self.get_dashboard(uid).await?;
        let body = json!({ "dashboard": d.json, "folderUid": folder_uid, "overwrite": false,
                           "message": "moved out of a folder that is being deleted" });
        self.send(Method::POST, "api/dashboards/db", Some(&body)).await
    }

    /// Dashboards titled `title` (Grafana compares slugs) in a folder (`""`: the General folder).
    pub async fn find_dashboards_by_title(&self, title: &str, folder_uid: &str) -> Result<Vec<DashboardHit>, Error> {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("type", "dash-db")
            .append_pair("query", title.trim())
            .append_pair("limit", "5000")
            .finish();
        let hits: Vec<DashboardHit> = self.send(Method::GET, &format!("api/search?{query}"), None).await?;
        let want = slug(title);
        Ok(hits
            .into_iter()
            .filter(|h| h.folder_uid.as_deref().unwrap_or("") == folder_uid && slug(&h.title) == want)
            .collect())
    }

    pub async fn delete_dashboard(&self, uid: &str) -> Result<(), Error> {
        let _: Value = self.send(Method::DELETE, &format!("api/dashboards/uid/{}", seg(uid)), None).await?;
        Ok(())
    }

    /// Dashboards (not folders), optionally only those in `folder_uids` and carrying every tag.
    pub async fn search_dashboards(&self, folder_uids: &[String], tags: &[String]) -> Result<Vec<DashboardHit>, Error> {
        let mut out = Vec::new();
        for page in 1.. {
            let query = {
                let mut q = url::form_urlencoded::Serializer::new(String::new());
                q.append_pair("type", "dash-db").append_pair("limit", "5000").append_pair("page", &page.to_string());
                for f in folder_uids {
                    q.append_pair("folderUIDs", f);
                }
                for t in tags {
                    q.append_pair("tag", t);
                }
                q.finish()
            };
            let hits: Vec<DashboardHit> = self.send(Method::GET, &format!("api/search?{query}"), None).await?;
            let n = hits.len();
            out.extend(hits);
            if n < 5000 {
                break;
            }
        }
        Ok(out)
    }
}

/// Grafana's slug of a title: lower case, runs of anything but letters and digits as one `-`.
fn slug(title: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in title.trim().to_lowercase().chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}
