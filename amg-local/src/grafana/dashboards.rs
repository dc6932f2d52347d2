//! Dashboards: save (with Grafana's version, uid, plugin and 10.4 title checks), get, delete,
//! versions and restore.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::auth::Caller;
use super::envelope::{Body, R, gerr, msg, msg_trace, ok};
use super::{Ctx, SameSlug, check_uid, folder_url, same_slug_10_4, slugify};
use crate::world::{DashRec, Profile, Role, Store, VersionRec, now_rfc3339};

fn dash_status(status: StatusCode, m: &str, s: &str) -> Response {
    gerr(status, json!({"message": m, "status": s}))
}

pub(super) async fn save_dashboard(State(ctx): State<Ctx>, caller: Caller, Body(b): Body) -> R {
    let ws = ctx.ws()?;
    // The RBAC middleware (`authorize` in `pkg/api/api.go`) answers before the handler reads a byte.
    caller.require_permission(Role::Editor, "any of dashboards:create, dashboards:write")?;
    let save = Save::read(ws.profile, &b)?;
    let mut g = ws.grafana.lock().expect("lock");
    let existing = save.over(ws.profile, &g)?;
    let now = now_rfc3339();
    let Save { mut dash, title, uid, folder_uid, message, .. } = save;
    let (rec_id, rec_uid, version, created, created_by, parent_version) = match &existing {
        Some(e) => (e.id, e.uid.clone(), e.version + 1, e.created.clone(), e.created_by.clone(), e.version),
        None => {
            let uid = if uid.is_empty() { ctx.world.new_uid() } else { uid };
            (g.next_id(), uid, 1, now.clone(), caller.login.clone(), 0)
        }
    };
    if let Some(e) = &existing
        && e.uid != rec_uid
    {
        g.dashboards.remove(&e.uid);
        if let Some(own) = g.dashboard_permissions.remove(&e.uid) {
            g.dashboard_permissions.insert(rec_uid.clone(), own);
        }
    }
    dash.insert("id".into(), json!(rec_id));
    dash.insert("uid".into(), json!(rec_uid));
    dash.insert("version".into(), json!(version));
    dash.insert("title".into(), json!(title));
    let rec = DashRec {
        id: rec_id,
        uid: rec_uid.clone(),
        title: title.clone(),
        folder_uid: folder_uid.clone(),
        data: dash.clone(),
        version,
        created,
        updated: now.clone(),
        created_by,
        updated_by: caller.login.clone(),
        plugin_id: existing.as_ref().and_then(|e| e.plugin_id.clone()),
    };
    g.dashboards.insert(rec_uid.clone(), rec);
    if existing.is_none() {
        g.dashboard_permissions.insert(rec_uid.clone(), super::permissions::defaults_in(folder_uid.as_deref()));
    }
    let id = g.next_id();
    let created_by = caller.login.clone();
    let v = VersionRec { id, version, parent_version, restored_from: 0, created: now, created_by, message, data: dash };
    g.versions.entry(rec_uid.clone()).or_default().push(v);
    ok(saved(ws.profile, rec_id, &rec_uid, &title, version, folder_uid.as_deref()))
}

/// A save request, read and checked as Grafana's `SaveDashboard` API does before it looks at
/// what the workspace holds.
struct Save {
    dash: Map<String, Value>,
    title: String,
    uid: String,
    folder_uid: Option<String>,
    message: String,
    overwrite: bool,
}

impl Save {
    fn read(profile: Profile, b: &Map<String, Value>) -> Result<Save, Response> {
        let Some(Value::Object(dash)) = b.get("dashboard").cloned() else {
            return Err(msg_trace(StatusCode::BAD_REQUEST, "bad request data"));
        };
        if b.get("isFolder").and_then(Value::as_bool) == Some(true) {
            return Err(msg(StatusCode::BAD_REQUEST, "Use folders endpoint for saving folders."));
        }
        let overwrite = b.get("overwrite").and_then(Value::as_bool).unwrap_or(false);
        let message = b.get("message").and_then(Value::as_str).unwrap_or_default().to_string();
        let title = dash.get("title").and_then(Value::as_str).unwrap_or_default().trim().to_string();
        if title.is_empty() {
            return Err(dash_status(StatusCode::BAD_REQUEST, "Dashboard title cannot be empty", "empty-name"));
        }
        // Go's `len`: bytes, as with every length Grafana checks.
        if profile == Profile::V12_4 && title.len() > 5000 {
            return Err(dash_status(
                StatusCode::BAD_REQUEST,
                "Dashboard title cannot contain more than 5 000 characters",
                "title-too-long",
            ));
        }
        let uid = dash.get("uid").and_then(Value::as_str).unwrap_or_default().trim().to_string();
        check_uid(&uid).map_err(|m| msg(StatusCode::BAD_REQUEST, m))?;
        if message.len() > 500 {
            return Err(msg(StatusCode::BAD_REQUEST, "message too long, max 500 characters"));
        }
        let folder_uid = b.get("folderUid").and_then(Value::as_str).filter(|f| !f.is_empty()).map(str::to_string);
        Ok(Save { dash, title, uid, folder_uid, message, overwrite })
    }

    /// The dashboard this save replaces (by id, else uid; on 10.4 with `overwrite`, the one
    /// holding the title), after Grafana's checks against what the workspace holds.
    fn over(&self, profile: Profile, g: &Store) -> Result<Option<DashRec>, Response> {
        if let Some(f) = &self.folder_uid
            && !g.folders.contains_key(f)
        {
            return Err(match profile {
                Profile::V10_4 => msg_trace(StatusCode::BAD_REQUEST, "Folder not found"),
                Profile::V12_4 => msg(StatusCode::BAD_REQUEST, "folder not found"),
            });
        }
        let id = self.dash.get("id").and_then(Value::as_i64).unwrap_or(0);
        let by_id = match (id > 0).then(|| g.dashboards.values().find(|d| d.id == id)) {
            Some(None) => return Err(dash_status(StatusCode::NOT_FOUND, "Dashboard not found", "not-found")),
            found => found.flatten().map(|d| d.uid.clone()),
        };
        let uid = &self.uid;
        let by_uid = (!uid.is_empty()).then(|| g.dashboards.get(uid).map(|d| d.uid.clone())).flatten();
        if let (Some(a), Some(b)) = (&by_id, &by_uid)
            && a != b
        {
            return Err(msg(StatusCode::BAD_REQUEST, "A dashboard with the same uid already exists"));
        }
        if !uid.is_empty() && by_uid.is_none() && g.folders.contains_key(uid) {
            return Err(msg(StatusCode::BAD_REQUEST, "Dashboard cannot be changed to a folder"));
        }
        let existing = by_id.or(by_uid).and_then(|u| g.dashboards.get(&u).cloned());
        if let Some(e) = &existing {
            let v = self.dash.get("version").and_then(Value::as_i64).unwrap_or(0);
            if v != e.version && !self.overwrite {
                let m = "The dashboard has been changed by someone else";
                return Err(dash_status(StatusCode::PRECONDITION_FAILED, m, "version-mismatch"));
            }
            if let (Some(p), false) = (&e.plugin_id, self.overwrite) {
                let m = format!("The dashboard belongs to plugin {p}.");
                return Err(dash_status(StatusCode::PRECONDITION_FAILED, &m, "plugin-dashboard"));
            }
        }
        if !profile.unique_titles() {
            return Ok(existing);
        }
        let except = existing.as_ref().map(|e| e.uid.clone());
        match same_slug_10_4(g, &self.title, self.folder_uid.as_deref(), except.as_deref()) {
            Some(SameSlug::Folder) => {
                Err(dash_status(StatusCode::BAD_REQUEST, "Dashboard name cannot be the same as folder", "name-match"))
            }
            Some(SameSlug::Dashboard(_)) if !self.overwrite => {
                let m = "A dashboard with the same name in the folder already exists";
                Err(dash_status(StatusCode::PRECONDITION_FAILED, m, "name-exists"))
            }
            // Grafana 10.4 quirk: overwrite takes over the dashboard that has the name.
            Some(SameSlug::Dashboard(other)) => Ok(g.dashboards.get(&other).cloned()),
            None => Ok(existing),
        }
    }
}

/// The answer to a save (and a restore): `folderUid` from Grafana 11 on.
fn saved(profile: Profile, id: i64, uid: &str, title: &str, version: i64, folder_uid: Option<&str>) -> Value {
    let slug = slugify(title);
    let mut out = json!({"id": id, "slug": slug, "status": "success", "uid": uid, "url": format!("/d/{uid}/{slug}"), "version": version});
    if profile != Profile::V10_4 {
        out["folderUid"] = json!(folder_uid.unwrap_or_default());
    }
    out
}

pub(super) fn dashboard_not_found() -> Response {
    msg_trace(StatusCode::NOT_FOUND, "Dashboard not found")
}

pub(super) async fn get_dashboard(State(ctx): State<Ctx>, caller: Caller, Path(uid): Path<String>) -> R {
    let ws = ctx.ws()?;
    let g = ws.grafana.lock().expect("lock");
    // Grafana 10.4 keeps folders in the dashboard table, and `GetDashboard` does not filter on
    // `is_folder`: a folder's uid answers the folder, flagged `meta.isFolder`
    // (`pkg/services/dashboards/database/database.go`, `GetDashboard`; 12.x serves dashboards
    // from their own resource and answers 404).
    if ws.profile == Profile::V10_4
        && let Some(f) = g.folders.get(&uid)
    {
        let slug = slugify(&f.title);
        let data = json!({"id": f.id, "uid": f.uid, "title": f.title, "schemaVersion": 17, "version": f.version});
        let meta = json!({
            "type": "db", "canSave": true, "canEdit": true, "canAdmin": caller.role == Role::Admin, "canStar": true, "canDelete": true,
            "isStarred": false, "slug": slug, "url": folder_url(f), "expires": "0001-01-01T00:00:00Z",
            "created": f.created, "updated": f.updated, "updatedBy": f.updated_by, "createdBy": f.created_by, "version": f.version,
            "hasAcl": false, "isFolder": true, "folderId": 0, "folderUid": "", "folderTitle": "General", "folderUrl": "",
            "provisioned": false, "provisionedExternalId": "",
        });
        return ok(json!({"dashboard": data, "meta": meta}));
    }
    let d = g.dashboards.get(&uid).ok_or_else(dashboard_not_found)?;
    let mut data = d.data.clone();
    data.insert("version".into(), json!(d.version));
    data.sort_keys();
    let folder = d.folder_uid.as_ref().and_then(|f| g.folders.get(f));
    let can = caller.role >= Role::Editor;
    let slug = slugify(&d.title);
    let mut meta = json!({
        "type": "db", "canSave": can, "canEdit": can, "canAdmin": caller.role == Role::Admin, "canStar": true, "canDelete": can,
        "isStarred": false, "slug": slug, "url": format!("/d/{}/{}", d.uid, slug), "expires": "0001-01-01T00:00:00Z",
        "created": d.created, "updated": d.updated, "updatedBy": d.updated_by, "createdBy": d.created_by, "version": d.version,
        "hasAcl": false, "isFolder": false,
        "folderId": folder.map_or(0, |f| f.id), "folderUid": folder.map_or(String::new(), |f| f.uid.clone()),
        "folderTitle": folder.map_or("General".to_string(), |f| f.title.clone()), "folderUrl": folder.map_or(String::new(), folder_url),
        "provisioned": false, "provisionedExternalId": "",
        "annotationsPermissions": {"dashboard": {"canAdd": can, "canEdit": can, "canDelete": can}, "organization": {"canAdd": can, "canEdit": can, "canDelete": can}},
    });
    if ws.profile == Profile::V10_4 {
        meta["publicDashboardAccessToken"] = json!("");
    }
    meta["publicDashboardUid"] = json!("");
    meta["publicDashboardEnabled"] = json!(false);
    ok(json!({"dashboard": Value::Object(data), "meta": meta}))
}

pub(super) async fn delete_dashboard(State(ctx): State<Ctx>, caller: Caller, Path(uid): Path<String>) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Editor, "dashboards:delete")?;
    let mut g = ws.grafana.lock().expect("lock");
    if g.folders.contains_key(&uid) {
        return Err(msg(StatusCode::BAD_REQUEST, "Use folders endpoint for deleting folders."));
    }
    let d = g.dashboards.remove(&uid).ok_or_else(dashboard_not_found)?;
    g.versions.remove(&uid);
    g.dashboard_permissions.remove(&uid);
    let m = format!("Dashboard {} deleted", d.title);
    ok(match ws.profile {
        Profile::V10_4 => json!({"id": d.id, "message": m, "title": d.title}),
        Profile::V12_4 => json!({"message": m, "title": d.title, "uid": d.uid}),
    })
}

/// One version; `listed`: as the list shows it (`GetDashboardVersions` in `pkg/api/dashboard.go`
/// rewrites the messages there, a restore's to "Restored from version N", a first save's to
/// "Initial save"; a single version keeps the message it was saved with, and carries its data).
fn version_json(d: &DashRec, v: &VersionRec, listed: bool) -> Value {
    let message = if !listed {
        v.message.clone()
    } else if v.restored_from > 0 {
        format!("Restored from version {}", v.restored_from)
    } else if v.parent_version == 0 {
        "Initial save".to_string()
    } else {
        v.message.clone()
    };
    let with_data = !listed;
    json!({
        "id": v.id, "dashboardId": d.id, "uid": d.uid, "parentVersion": v.parent_version, "restoredFrom": v.restored_from,
        "version": v.version, "created": v.created, "createdBy": v.created_by, "message": message,
        "data": if with_data { Value::Object(v.data.clone()) } else { Value::Null },
    })
}

/// `POST /api/dashboards/uid/:uid/restore {"version": N}`: saves version N's data as a new
/// version (with `restoredFrom`), answering like a save.
pub(super) async fn restore_version(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path(uid): Path<String>,
    Body(b): Body,
) -> R {
    let ws = ctx.ws()?;
    let Some(version) = b.get("version").and_then(Value::as_i64).filter(|v| *v != 0) else {
        return Err(msg_trace(StatusCode::BAD_REQUEST, "bad request data"));
    };
    caller.require_permission(Role::Editor, "dashboards:write")?;
    let mut g = ws.grafana.lock().expect("lock");
    let mut d = g.dashboards.get(&uid).cloned().ok_or_else(dashboard_not_found)?;
    let old = g
        .versions
        .get(&uid)
        .and_then(|vs| vs.iter().find(|v| v.version == version))
        .cloned()
        .ok_or_else(|| msg_trace(StatusCode::NOT_FOUND, "Dashboard version not found"))?;
    // Newer Grafana (`RestoreDashboardVersion`, `compareDashboardData`): restoring what the
    // dashboard already holds, `id`, `uid` and `version` aside, is refused.
    if ws.profile == Profile::V12_4 {
        let strip = |m: &Map<String, Value>| {
            let mut m = m.clone();
            for k in ["id", "uid", "version"] {
                m.remove(k);
            }
            m
        };
        if strip(&old.data) == strip(&d.data) {
            return Err(msg(StatusCode::BAD_REQUEST, "Current dashboard is identical to the specified version"));
        }
    }
    let now = now_rfc3339();
    let parent = d.version;
    d.version += 1;
    d.data = old.data.clone();
    d.data.insert("id".into(), json!(d.id));
    d.data.insert("uid".into(), json!(d.uid));
    d.data.insert("version".into(), json!(d.version));
    d.title = d.data.get("title").and_then(Value::as_str).unwrap_or(&d.title).to_string();
    d.updated = now.clone();
    d.updated_by = caller.login.clone();
    let vid = g.next_id();
    g.versions.entry(uid.clone()).or_default().push(VersionRec {
        id: vid,
        version: d.version,
        parent_version: parent,
        restored_from: version,
        created: now,
        created_by: caller.login.clone(),
        // `dashverimpl.DashboardRestoreMessage`.
        message: format!("Restored from version {version}"),
        data: d.data.clone(),
    });
    g.dashboards.insert(uid.clone(), d.clone());
    ok(saved(ws.profile, d.id, &uid, &d.title, d.version, d.folder_uid.as_deref()))
}

pub(super) async fn list_versions(State(ctx): State<Ctx>, caller: Caller, Path(uid): Path<String>) -> R {
    let ws = ctx.ws()?;
    caller.require(Role::Editor, "Access denied")?;
    let g = ws.grafana.lock().expect("lock");
    let d = g.dashboards.get(&uid).ok_or_else(dashboard_not_found)?;
    let list: Vec<Value> =
        g.versions.get(&uid).map(|vs| vs.iter().rev().map(|v| version_json(d, v, true)).collect()).unwrap_or_default();
    ok(match ws.profile {
        Profile::V10_4 => Value::Array(list),
        Profile::V12_4 => json!({"continueToken": "", "versions": list}),
    })
}

pub(super) async fn get_version(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path((uid, version)): Path<(String, i64)>,
) -> R {
    let ws = ctx.ws()?;
    caller.require(Role::Editor, "Access denied")?;
    let g = ws.grafana.lock().expect("lock");
    let d = g.dashboards.get(&uid).ok_or_else(dashboard_not_found)?;
    match g.versions.get(&uid).and_then(|vs| vs.iter().find(|v| v.version == version)) {
        Some(v) => ok(version_json(d, v, false)),
        None => Err(msg_trace(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("Dashboard version {version} not found for dashboardId {}", d.id),
        )),
    }
}
