//! Folders: `/api/folders`, `/api/folders/:uid`, `/api/folders/:uid/move`.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::{Client, Error, seg};

/// A folder as Grafana returns it (fields this provider uses).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Folder {
    pub id: i64,
    pub uid: String,
    pub title: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub parent_uid: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
}

/// A folder in a listing.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FolderRef {
    pub uid: String,
    pub title: String,
}

#[derive(Deserialize)]
struct Hit {
    uid: String,
    title: String,
    #[serde(rename = "type")]
    kind: String,
}

impl Client {
    pub async fn create_folder(
        &self,
        uid: Option<&str>,
        title: &str,
        parent_uid: Option<&str>,
    ) -> Result<Folder, Error> {
        let mut body = json!({ "title": title });
        if let Some(u) = uid {
            body["uid"] = json!(u);
        }
        if let Some(p) = parent_uid {
            body["parentUid"] = json!(p);
        }
        self.send(Method::POST, "api/folders", Some(&body)).await
    }

    pub async fn get_folder(&self, uid: &str) -> Result<Folder, Error> {
        self.send(Method::GET, &format!("api/folders/{}", seg(uid)), None).await
    }

    /// Renames a folder, sending the `version` the caller last read: Grafana's legacy folder
    /// store (10.4) refuses the rename with 412 when the folder changed since.
    pub async fn update_folder(&self, uid: &str, title: &str, version: Option<i64>) -> Result<Folder, Error> {
        let mut body = json!({ "title": title, "overwrite": false });
        if let Some(v) = version {
            body["version"] = json!(v);
        }
        self.send(Method::PUT, &format!("api/folders/{}", seg(uid)), Some(&body)).await
    }

    /// Moves a folder under `parent_uid` (None: to the root). Grafana 11+ only.
    pub async fn move_folder(&self, uid: &str, parent_uid: Option<&str>) -> Result<Folder, Error> {
        let body = json!({ "parentUid": parent_uid.unwrap_or("") });
        self.send(Method::POST, &format!("api/folders/{}/move", seg(uid)), Some(&body)).await
    }

    pub async fn delete_folder(&self, uid: &str) -> Result<(), Error> {
        let _: serde_json::Value = self.send(Method::DELETE, &format!("api/folders/{}", seg(uid)), None).await?;
        Ok(())
    }

    /// Everything a folder directly holds: its dashboards, and its sub-folders where `nested`
    /// folders exist. Unlike [`Client::folder_children`], complete (paged).
    pub async fn folder_contents(&self, uid: &str, nested: bool) -> Result<(Vec<FolderRef>, Vec<FolderRef>), Error> {
        let dashboards = self
            .search_dashboards(&[uid.to_string()], &[])
            .await?
            .into_iter()
            .map(|h| FolderRef { uid: h.uid, title: h.title })
            .collect();
        let mut folders = Vec::new();
        if nested {
            let fetch = |page: usize| {
                let path = format!("api/folders?parentUid={}&limit=1000&page={page}", seg(uid));
                async move { self.send::<Vec<FolderRef>>(Method::GET, &path, None).await }
            };
            folders = self.paged("sub-folders (GET /api/folders)", 1000, |f: &FolderRef| &f.uid, fetch).await?;
        }
        Ok((dashboards, folders))
    }

    /// Folders whose title is exactly `title` (search is by substring, so filter).
    pub async fn find_folders_by_title(&self, title: &str) -> Result<Vec<FolderRef>, Error> {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("type", "dash-folder")
            .append_pair("query", title)
            .append_pair("limit", "5000")
            .finish();
        let hits: Vec<Hit> = self.send(Method::GET, &format!("api/search?{query}"), None).await?;
        Ok(hits
            .into_iter()
            .filter(|h| h.kind == "dash-folder" && h.title == title)
            .map(|h| FolderRef { uid: h.uid, title: h.title })
            .collect())
    }
}
