//! `GET /api/search`: folders and dashboards by text, type, tags, uids and folders, paged.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::envelope::{R, msg, ok};
use super::{Ctx, all, first, folder_url, query_pairs, slugify};

pub(super) async fn search(State(ctx): State<Ctx>, RawQuery(q): RawQuery) -> R {
    let ws = ctx.ws()?;
    let q = query_pairs(q.as_deref());
    let limit: usize = first(&q, "limit").and_then(|l| l.parse().ok()).unwrap_or(1000);
    if limit > 5000 {
        return Err(msg(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Limit is above maximum allowed (5000), use page parameter to access hits beyond limit",
        ));
    }
    if !all(&q, "dashboardIds").is_empty() && !all(&q, "dashboardUIDs").is_empty() {
        return Err(msg(StatusCode::BAD_REQUEST, "search supports UIDs or IDs, not both"));
    }
    let page: usize = first(&q, "page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let kind = first(&q, "type");
    let f = Filter {
        text: first(&q, "query").unwrap_or_default().to_lowercase(),
        uids: all(&q, "dashboardUIDs"),
        ids: all(&q, "dashboardIds").iter().filter_map(|i| i.parse().ok()).collect(),
        folders: all(&q, "folderUIDs"),
    };
    let tags = all(&q, "tag");
    let sort = first(&q, "sort").filter(|s| !s.is_empty());
    let g = ws.grafana.lock().expect("lock");
    let mut hits: Vec<(u8, String, Value)> = Vec::new();
    if kind != Some("dash-db") && tags.is_empty() {
        for x in g.folders.values().filter(|x| f.matches(&x.title, &x.uid, x.id, x.parent_uid.as_deref())) {
            let mut h = json!({"id": x.id, "uid": x.uid, "title": x.title, "uri": format!("db/{}", slugify(&x.title)), "url": folder_url(x), "slug": "", "type": "dash-folder", "tags": [], "isStarred": false, "sortMeta": 0});
            in_folder(&mut h, x.parent_uid.as_ref().and_then(|p| g.folders.get(p)));
            hits.push((0, x.title.to_lowercase(), h));
        }
    }
    if kind != Some("dash-folder") {
        for d in g.dashboards.values().filter(|d| f.matches(&d.title, &d.uid, d.id, d.folder_uid.as_deref())) {
            let mut dtags: Vec<String> = d
                .data
                .get("tags")
                .and_then(Value::as_array)
                .map(|t| t.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            if !tags.iter().all(|t| dtags.iter().any(|x| x == t)) {
                continue;
            }
            let slug = slugify(&d.title);
            // Without `sort`, `sortedHits` sorts each hit's tags; with one, they come as stored.
            if sort.is_none() {
                dtags.sort();
            }
            let mut h = json!({"id": d.id, "uid": d.uid, "title": d.title, "uri": format!("db/{slug}"), "url": format!("/d/{}/{}", d.uid, slug), "slug": "", "type": "dash-db", "tags": dtags, "isStarred": false, "sortMeta": 0});
            in_folder(&mut h, d.folder_uid.as_ref().and_then(|x| g.folders.get(x)));
            hits.push((1, d.title.to_lowercase(), h));
        }
    }
    // `pkg/services/search/service.go`: without `sort`, `sortedHits` (folders first, then title
    // case-insensitively); with `alpha-asc`/`alpha-desc` the store's `TitleSorter` orders by
    // title alone, folders among dashboards.
    match sort {
        None => hits.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1))),
        Some("alpha-desc") => hits.sort_by(|a, b| b.1.cmp(&a.1)),
        Some(_) => hits.sort_by(|a, b| a.1.cmp(&b.1)),
    }
    ok(Value::Array(hits.into_iter().skip((page - 1) * limit).take(limit).map(|h| h.2).collect()))
}

/// What a search asks for besides type and tags: a title substring, uids, ids, parent folders.
struct Filter<'a> {
    text: String,
    uids: Vec<&'a str>,
    ids: Vec<i64>,
    folders: Vec<&'a str>,
}

impl Filter<'_> {
    /// Whether a folder or dashboard of this title, uid, id and parent (none: the General
    /// folder, `general` in `folderUIDs`) is asked for.
    fn matches(&self, title: &str, uid: &str, id: i64, parent: Option<&str>) -> bool {
        let in_folder = self.folders.is_empty()
            || self.folders.iter().any(|x| Some(*x) == parent || (*x == "general" && parent.is_none()));
        title.to_lowercase().contains(&self.text)
            && in_folder
            && (self.uids.is_empty() || self.uids.contains(&uid))
            && (self.ids.is_empty() || self.ids.contains(&id))
    }
}

/// A hit's folder members, when it is in one.
fn in_folder(h: &mut Value, folder: Option<&crate::world::FolderRec>) {
    if let Some(p) = folder {
        h["folderId"] = json!(p.id);
        h["folderUid"] = json!(p.uid);
        h["folderTitle"] = json!(p.title);
        h["folderUrl"] = json!(folder_url(p));
    }
}
