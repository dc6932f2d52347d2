//! One page at a time, for `terraform query`: `/api/search` (dashboards, folders),
//! `/api/folders?parentUid=` (a folder's sub-folders), and the dashboards app plugins own
//! (`/api/plugins?type=app`, `/api/plugins/:id/dashboards`). The caller pages: each call is
//! one request. `Client::paged` is the other way: every page of a list, bounded.

use std::collections::BTreeSet;

use reqwest::Method;
use serde::Deserialize;

use super::{Client, Error, FolderRef, MAX_LISTED, seg};

/// What a search page asks for besides its number and size.
#[derive(Clone, Debug, Default)]
pub struct Search<'a> {
    /// `dash-db` (dashboards) or `dash-folder` (folders).
    pub kind: &'a str,
    /// Only hits directly in one of these folders (`general`: the General folder).
    pub folder_uids: &'a [String],
    /// Only hits carrying every one of these tags.
    pub tags: &'a [String],
    /// A title substring, case-insensitive.
    pub query: &'a str,
}

/// A search hit: a dashboard or a folder, with the folder it is in (none: the General
/// folder, or the top level).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub uid: String,
    pub title: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub folder_uid: Option<String>,
}

#[derive(Deserialize)]
struct Plugin {
    id: String,
}

#[derive(Deserialize)]
struct PluginDashboard {
    #[serde(default)]
    uid: String,
    #[serde(default)]
    imported: bool,
}

impl Client {
    /// Page `page` (from 1) of `limit` search hits, in Grafana's order (folders first, then by title).
    pub async fn search_page(&self, s: &Search<'_>, page: usize, limit: usize) -> Result<Vec<SearchHit>, Error> {
        let path = {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            q.append_pair("type", s.kind);
            q.append_pair("limit", &limit.to_string()).append_pair("page", &page.to_string());
            if !s.query.is_empty() {
                q.append_pair("query", s.query);
            }
            for f in s.folder_uids {
                q.append_pair("folderUIDs", f);
            }
            for t in s.tags {
                q.append_pair("tag", t);
            }
            format!("api/search?{}", q.finish())
        };
        let hits: Vec<SearchHit> = self.send(Method::GET, &path, None).await?;
        Ok(hits.into_iter().filter(|h| h.kind.is_empty() || h.kind == s.kind).collect())
    }

    /// Page `page` (from 1) of `limit` folders directly in `parent` (Grafana ≥ 10 with nested folders).
    pub async fn child_folders_page(&self, parent: &str, page: usize, limit: usize) -> Result<Vec<FolderRef>, Error> {
        let path = format!("api/folders?parentUid={}&limit={limit}&page={page}", seg(parent));
        self.send(Method::GET, &path, None).await
    }

    /// The uids of the dashboards that app plugins imported (Grafana refuses to save them
    /// without `overwrite`, and updates them with the plugin): one request for the app plugins
    /// and one per app plugin.
    pub async fn plugin_dashboard_uids(&self) -> Result<BTreeSet<String>, Error> {
        let apps: Vec<Plugin> = self.send(Method::GET, "api/plugins?type=app&embedded=0", None).await?;
        let mut uids = BTreeSet::new();
        for app in apps {
            let path = format!("api/plugins/{}/dashboards", seg(&app.id));
            let owned: Vec<PluginDashboard> = self.send(Method::GET, &path, None).await?;
            uids.extend(owned.into_iter().filter(|d| d.imported && !d.uid.is_empty()).map(|d| d.uid));
        }
        Ok(uids)
    }
}

impl Client {
    /// Every item of a paged list: `fetch(page)` for pages 1, 2, … until one holds fewer than
    /// `per_page`. Bounded: a page that repeats the one before (a server that ignores `page`)
    /// or more than [`MAX_LISTED`] items end it with an error, never an endless loop.
    pub(super) async fn paged<T, F, Fut>(
        &self,
        what: &str,
        per_page: usize,
        key: impl Fn(&T) -> &str,
        fetch: F,
    ) -> Result<Vec<T>, Error>
    where
        F: Fn(usize) -> Fut,
        Fut: std::future::Future<Output = Result<Vec<T>, Error>>,
    {
        let mut out: Vec<T> = Vec::new();
        let mut last: Vec<String> = Vec::new();
        for page in 1.. {
            let batch = fetch(page).await?;
            let keys: Vec<String> = batch.iter().map(|t| key(t).to_string()).collect();
            if page > 1 && !keys.is_empty() && keys == last {
                return Err(Error::Paging {
                    what: what.to_string(),
                    reason: format!("page {page} repeats page {} (does the server ignore `page`?)", page - 1),
                });
            }
            let n = batch.len();
            out.extend(batch);
            if out.len() > MAX_LISTED {
                return Err(Error::Paging { what: what.to_string(), reason: format!("more than {MAX_LISTED} items") });
            }
            if n < per_page {
                break;
            }
            last = keys;
        }
        Ok(out)
    }
}
