//! Dashboards: `POST /api/dashboards/db`, `GET`/`DELETE /api/dashboards/uid/:uid`, `GET /api/search`.

use reqwest::Method;
use serde::Deserialize;
use std::sync::OnceLock;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{Client, Error, seg};

/// What a save asks of Grafana, borrowed from the caller (a model is tens of kilobytes: it is
/// written out once, never copied).
pub struct SaveDashboard<'a> {
    /// The dashboard JSON, with `uid` set; any `version` in it is replaced by `version`.
    pub dashboard: &'a Map<String, Value>,
    /// For an update, the version last seen; none for a create.
    pub version: Option<i64>,
    pub folder_uid: Option<&'a str>,
    pub message: Option<&'a str>,
}

/// The body of `POST /api/dashboards/db`.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct SaveBody<'a> {
    dashboard: WithVersion<'a>,
    overwrite: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    folder_uid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

/// A dashboard written with `version` in place of its own.
struct WithVersion<'a>(&'a Map<String, Value>, Option<i64>);

impl serde::Serialize for WithVersion<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        for (k, v) in self.0.iter().filter(|(k, _)| k.as_str() != "version") {
            m.serialize_entry(k, v)?;
        }
        if let Some(v) = self.1 {
            m.serialize_entry("version", &v)?;
        }
        m.end()
    }
}

/// Grafana's answer to a save.
#[derive(Clone, Debug, Deserialize)]
pub struct Saved {
    pub id: i64,
    pub uid: String,
    pub url: String,
    pub version: i64,
}

/// A dashboard and the metadata the provider uses. The JSON model is kept as Grafana's text and
/// parsed on first use ([`Dashboard::json`]): a refresh that finds the same id and version as
/// last time never needs it.
#[derive(Debug)]
pub struct Dashboard {
    raw: Box<RawValue>,
    model: OnceLock<Map<String, Value>>,
    /// The model's `uid`.
    pub uid: String,
    pub id: i64,
    pub version: i64,
    /// `""` at the root.
    pub folder_uid: String,
    pub folder_title: String,
    pub url: String,
    pub slug: String,
    pub is_starred: bool,
}

impl Dashboard {
    /// The JSON model as Grafana holds it.
    pub fn json(&self) -> &Map<String, Value> {
        // An object, checked when the answer was read.
        self.model.get_or_init(|| serde_json::from_str(self.raw.get()).unwrap_or_default())
    }
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
    pub async fn save_dashboard(&self, req: &SaveDashboard<'_>) -> Result<Saved, Error> {
        // Never `overwrite: true`: on Grafana 10.4 it lets a save whose title is already used in
        // the folder take over that other dashboard, whatever uid was sent. Callers that mean to
        // save over a newer version send that version instead.
        let body = SaveBody {
            dashboard: WithVersion(req.dashboard, req.version),
            overwrite: false,
            folder_uid: req.folder_uid,
            message: req.message,
        };
        self.send_json(Method::POST, "api/dashboards/db", &body).await
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
            #[serde(default)]
            is_folder: bool,
        }
        #[derive(Deserialize)]
        struct Resp {
            dashboard: Box<RawValue>,
            meta: Meta,
        }
        /// What the provider needs of the model before deciding whether to read all of it.
        #[derive(Deserialize)]
        struct Head {
            #[serde(default)]
            id: Option<Value>,
            #[serde(default)]
            version: Option<Value>,
            #[serde(default)]
            uid: Option<Value>,
        }
        let path = format!("api/dashboards/uid/{}", seg(uid));
        let r: Resp = self.send(Method::GET, &path, None).await?;
        // Grafana 10.4 answers a folder's uid here with the folder.
        if r.meta.is_folder {
            return Err(Error::IsFolder { uid: uid.to_string() });
        }
        let decode = |reason: String| Error::Decode { what: format!("GET /{path}"), reason };
        if !r.dashboard.get().starts_with('{') {
            return Err(decode("`dashboard` is not a JSON object".into()));
        }
        let head: Head = serde_json::from_str(r.dashboard.get()).map_err(|e| decode(e.to_string()))?;
        let number = |v: &Option<Value>| v.as_ref().and_then(Value::as_i64);
        Ok(Dashboard {
            uid: head.uid.as_ref().and_then(Value::as_str).unwrap_or_default().to_string(),
            id: number(&head.id).unwrap_or(0),
            version: number(&head.version).unwrap_or(r.meta.version),
            raw: r.dashboard,
            model: OnceLock::new(),
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
        let body = SaveBody {
            dashboard: WithVersion(d.json(), Some(d.version)),
            overwrite: false,
            folder_uid: Some(folder_uid),
            message: Some("moved out of a folder that is being deleted"),
        };
        self.send_json(Method::POST, "api/dashboards/db", &body).await
    }

    /// Dashboards in a folder (`""`: the General folder) whose title is `title` but for case and
    /// outer spaces: the likely holders of a title Grafana 10.4 refused. Grafana compares its
    /// slugs, which this client does not compute (it would be one more copy of Grafana's rule to
    /// drift); a clash only the slug sees (`&` against `and`) finds nothing here, and the caller
    /// words its message without a name.
    pub async fn find_dashboards_by_title(&self, title: &str, folder_uid: &str) -> Result<Vec<DashboardHit>, Error> {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("type", "dash-db")
            .append_pair("query", title.trim())
            .append_pair("limit", "5000")
            .finish();
        let hits: Vec<DashboardHit> = self.send(Method::GET, &format!("api/search?{query}"), None).await?;
        let want = title.trim().to_lowercase();
        Ok(hits
            .into_iter()
            .filter(|h| h.folder_uid.as_deref().unwrap_or("") == folder_uid && h.title.trim().to_lowercase() == want)
            .collect())
    }

    pub async fn delete_dashboard(&self, uid: &str) -> Result<(), Error> {
        let _: Value = self.send(Method::DELETE, &format!("api/dashboards/uid/{}", seg(uid)), None).await?;
        Ok(())
    }

    /// Dashboards (not folders), optionally only those in `folder_uids` and carrying every tag.
    pub async fn search_dashboards(&self, folder_uids: &[String], tags: &[String]) -> Result<Vec<DashboardHit>, Error> {
        let fetch = |page: usize| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            q.append_pair("type", "dash-db").append_pair("limit", "5000").append_pair("page", &page.to_string());
            for f in folder_uids {
                q.append_pair("folderUIDs", f);
            }
            for t in tags {
                q.append_pair("tag", t);
            }
            let path = format!("api/search?{}", q.finish());
            async move { self.send::<Vec<DashboardHit>>(Method::GET, &path, None).await }
        };
        self.paged("dashboards (GET /api/search)", 5000, |h: &DashboardHit| &h.uid, fetch).await
    }
}
