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
    let text = first(&q, "query").unwrap_or_default().to_lowercase();
    let kind = first(&q, "type");
    let tags = all(&q, "tag");
    let uids = all(&q, "dashboardUIDs");
    let ids: Vec<i64> = all(&q, "dashboardIds").iter().filter_map(|i| i.parse().ok()).collect();
    let folders = all(&q, "folderUIDs");
    let sort = first(&q, "sort").filter(|s| !s.is_empty());
    let g = ws.grafana.lock().expect("lock");
    let mut hits: Vec<(u8, String, Value)> = Vec::new();
    if kind != Some("dash-db") && tags.is_empty() {
        for f in g.folders.values() {
            let in_folder = folders.is_empty()
                || folders
                    .iter()
                    .any(|x| Some(*x) == f.parent_uid.as_deref() || (*x == "general" && f.parent_uid.is_none()));
            if !f.title.to_lowercase().contains(&text)
                || !in_folder
                || (!uids.is_empty() && !uids.contains(&f.uid.as_str()))
                || (!ids.is_empty() && !ids.contains(&f.id))
            {
                continue;
            }
            let mut h = json!({"id": f.id, "uid": f.uid, "title": f.title, "uri": format!("db/{}", slugify(&f.title)), "url": folder_url(f), "slug": "", "type": "dash-folder", "tags": [], "isStarred": false, "sortMeta": 0});
            if let Some(p) = f.parent_uid.as_ref().and_then(|p| g.folders.get(p)) {
                h["folderId"] = json!(p.id);
                h["folderUid"] = json!(p.uid);
                h["folderTitle"] = json!(p.title);
                h["folderUrl"] = json!(folder_url(p));
            }
            hits.push((0, f.title.to_lowercase(), h));
        }
    }
    if kind != Some("dash-folder") {
        for d in g.dashboards.values() {
            let dtags: Vec<String> = d
                .data
                .get("tags")
                .and_then(Value::as_array)
                .map(|t| t.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            let in_folder = folders.is_empty()
                || folders
                    .iter()
                    .any(|x| Some(*x) == d.folder_uid.as_deref() || (*x == "general" && d.folder_uid.is_none()));
            if !d.title.to_lowercase().contains(&text)
                || !in_folder
                || (!uids.is_empty() && !uids.contains(&d.uid.as_str()))
                || (!ids.is_empty() && !ids.contains(&d.id))
                || !tags.iter().all(|t| dtags.iter().any(|x| x == t))
            {
                continue;
            }
            let slug = slugify(&d.title);
            // Without `sort`, `sortedHits` sorts each hit's tags; with one, they come as stored.
            let mut dtags = dtags;
            if sort.is_none() {
                dtags.sort();
            }
            let mut h = json!({"id": d.id, "uid": d.uid, "title": d.title, "uri": format!("db/{slug}"), "url": format!("/d/{}/{}", d.uid, slug), "slug": "", "type": "dash-db", "tags": dtags, "isStarred": false, "sortMeta": 0});
            if let Some(f) = d.folder_uid.as_ref().and_then(|f| g.folders.get(f)) {
                h["folderId"] = json!(f.id);
                h["folderUid"] = json!(f.uid);
                h["folderTitle"] = json!(f.title);
                h["folderUrl"] = json!(folder_url(f));
            }
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
