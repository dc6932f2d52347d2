//! `GET /api/plugins` and `GET /api/plugins/{id}/dashboards`: the app plugins installed in the
//! workspace and the dashboards each imported (`pkg/api/plugins.go`, `PluginDashboardInfoDTO`
//! in `pkg/plugins/dashboards.go`). The emulator's installed app plugins are the ones that own
//! a dashboard (`POST /_amg-local/workspaces/{id}/provisioned/dashboards`); it installs no other.

use std::collections::BTreeSet;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::envelope::{R, msg, ok};
use super::{Ctx, first, query_pairs, slugify};

/// `GET /api/plugins?type=app`: each app plugin, in id order (other types: none installed here).
pub(super) async fn list_plugins(State(ctx): State<Ctx>, RawQuery(q): RawQuery) -> R {
    let ws = ctx.ws()?;
    let q = query_pairs(q.as_deref());
    if first(&q, "type").is_some_and(|t| !t.is_empty() && t != "app") {
        return ok(json!([]));
    }
    let g = ws.grafana.lock().expect("lock");
    let apps: BTreeSet<&str> = g.dashboards.values().filter_map(|d| d.plugin_id.as_deref()).collect();
    let list: Vec<Value> = apps
        .into_iter()
        .map(|id| {
            json!({"name": id, "type": "app", "id": id, "enabled": true, "pinned": true,
                   "info": {"author": {"name": "", "url": ""}, "description": "", "links": null,
                            "logos": {"small": "", "large": ""}, "build": {}, "screenshots": null,
                            "version": "1.0.0", "updated": ""},
                   "dependencies": {"grafanaDependency": "", "grafanaVersion": "*", "plugins": []},
                   "latestVersion": "", "hasUpdate": false, "defaultNavUrl": "", "category": "",
                   "state": "", "signature": "valid", "signatureType": "grafana", "signatureOrg": "Grafana Labs"})
        })
        .collect();
    ok(Value::Array(list))
}

/// `GET /api/plugins/{id}/dashboards`: the dashboards the plugin imported; 404 for a plugin
/// that is not installed.
pub(super) async fn plugin_dashboards(State(ctx): State<Ctx>, Path(id): Path<String>) -> R {
    let ws = ctx.ws()?;
    let g = ws.grafana.lock().expect("lock");
    let owned: Vec<Value> = g
        .dashboards
        .values()
        .filter(|d| d.plugin_id.as_deref() == Some(id.as_str()))
        .map(|d| {
            let slug = slugify(&d.title);
            json!({"uid": d.uid, "pluginId": id, "title": d.title, "imported": true,
                   "importedUri": format!("db/{slug}"), "importedUrl": format!("/d/{}/{slug}", d.uid),
                   "slug": slug, "dashboardId": d.id, "folderId": 0, "importedRevision": 1, "revision": 1,
                   "description": "", "path": format!("dashboards/{slug}.json"), "removed": false})
        })
        .collect();
    if owned.is_empty() {
        return Err(msg(StatusCode::NOT_FOUND, "Plugin not found, no installed plugin with that id"));
    }
    ok(Value::Array(owned))
}
