//! Folder and dashboard permissions through the legacy endpoints AMG serves (Grafana's
//! `folder_permission.go`, `dashboard_permission.go`): `GET`/`POST /api/folders/{uid}/permissions`
//! and `/api/dashboards/uid/{uid}/permissions`. A new folder or dashboard at the top gets
//! Grafana's defaults, Editor: Edit and Viewer: View; one inside a folder gets none of its own
//! (`setDefaultPermissions` of folders and dashboards). A POST replaces the object's own list: each item
//! names one of `role` (`Viewer`, `Editor`, `Admin`), `teamId` or `userId` of one that exists, with
//! `permission` 1 (View), 2 (Edit) or 4 (Admin); an item twice is refused.
//!
//! A GET answers, as Grafana's role-based store does under the legacy API, the object's own
//! permissions followed by those of every folder above it, all with `"inherited": false` (the
//! legacy DTO never sets it): what is inherited can only be told by reading the parent folder.
//! The role-based `/api/access-control/…` API answers 404, as on AMG (RBAC not served), unless
//! `--access-control` (`access_control.rs`).

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::Caller;
use super::envelope::{Body, R, msg, ok};
use super::{Ctx, folder_url, slugify};
use crate::world::{PermissionRec, Role, Store};

/// Grafana's own permissions of a new folder or dashboard at the top.
pub fn defaults() -> Vec<PermissionRec> {
    let role = |r: &str, permission| PermissionRec { role: Some(r.into()), team_id: 0, user_id: 0, permission };
    vec![role("Editor", 2), role("Viewer", 1)]
}

/// The permissions a new folder or dashboard gets in `parent` (`setDefaultPermissions`).
pub fn defaults_in(parent: Option<&str>) -> Vec<PermissionRec> {
    if parent.is_some_and(|f| !f.is_empty()) { Vec::new() } else { defaults() }
}

pub(super) fn level_name(permission: i64) -> &'static str {
    match permission {
        1 => "View",
        2 => "Edit",
        _ => "Admin",
    }
}

pub(super) fn level(name: &str) -> Option<i64> {
    match name {
        "View" => Some(1),
        "Edit" => Some(2),
        "Admin" => Some(4),
        _ => None,
    }
}

/// What the permissions are of: the fields every item of its list repeats.
pub(super) struct Object {
    pub(super) own: Vec<PermissionRec>,
    pub(super) parent: Option<String>,
    fields: Value,
}

fn folder(g: &Store, uid: &str) -> Option<Object> {
    let f = g.folders.get(uid)?;
    Some(Object {
        own: g.folder_permissions.get(uid).cloned().unwrap_or_else(defaults),
        parent: f.parent_uid.clone(),
        fields: json!({"folderId": f.id, "folderUid": f.parent_uid.clone().unwrap_or_default(), "dashboardId": f.id,
            "uid": uid, "title": f.title, "slug": slugify(&f.title), "isFolder": true, "url": folder_url(f),
            "created": f.created, "updated": f.updated}),
    })
}

fn dashboard(g: &Store, uid: &str) -> Option<Object> {
    let d = g.dashboards.get(uid)?;
    let f = d.folder_uid.as_ref().and_then(|f| g.folders.get(f));
    let slug = slugify(&d.title);
    Some(Object {
        own: g.dashboard_permissions.get(uid).cloned().unwrap_or_default(),
        parent: d.folder_uid.clone(),
        fields: json!({"dashboardId": d.id, "folderId": f.map_or(0, |f| f.id),
            "folderUid": d.folder_uid.clone().unwrap_or_default(), "uid": uid, "title": d.title, "slug": slug,
            "isFolder": false, "url": format!("/d/{uid}/{slug}"), "created": d.created, "updated": d.updated}),
    })
}

impl Object {
    /// The permissions of every folder above the object, nearest first.
    pub(super) fn inherited(&self, g: &Store) -> Vec<PermissionRec> {
        let mut out = Vec::new();
        let mut parent = self.parent.clone();
        while let Some(p) = parent.as_deref().and_then(|p| folder(g, p)) {
            out.extend(p.own);
            parent = p.parent;
        }
        out
    }
}

/// The object's own items, then each folder's above it.
fn listed(g: &Store, object: &Object) -> Value {
    let mut out = Vec::new();
    let items = object.own.iter().chain(object.inherited(g).iter()).cloned().collect::<Vec<_>>();
    for p in &items {
        let user = g.users.iter().find(|u| u.id == p.user_id);
        let team = g.teams.iter().find(|t| t.id == p.team_id);
        let mut item = object.fields.clone();
        let extra = json!({"inherited": false, "userId": p.user_id,
            "userLogin": user.map(|u| u.login.as_str()).unwrap_or(""),
            "userEmail": user.map(|u| u.email.as_str()).unwrap_or(""),
            "teamId": p.team_id, "team": team.map(|t| t.name.as_str()).unwrap_or(""),
            "permission": p.permission, "permissionName": level_name(p.permission)});
        item.as_object_mut().expect("object").extend(extra.as_object().expect("object").clone());
        if let Some(role) = &p.role {
            item["role"] = json!(role);
        }
        out.push(item);
    }
    Value::Array(out)
}

pub(super) async fn get_folder_permissions(State(ctx): State<Ctx>, caller: Caller, Path(uid): Path<String>) -> R {
    get(&ctx, &caller, Of::Folder, &uid)
}

pub(super) async fn get_dashboard_permissions(State(ctx): State<Ctx>, caller: Caller, Path(uid): Path<String>) -> R {
    get(&ctx, &caller, Of::Dashboard, &uid)
}

pub(super) async fn set_folder_permissions(ctx: State<Ctx>, caller: Caller, uid: Path<String>, b: Body) -> R {
    set(&ctx, &caller, Of::Folder, &uid, &b.0)
}

pub(super) async fn set_dashboard_permissions(ctx: State<Ctx>, caller: Caller, uid: Path<String>, b: Body) -> R {
    set(&ctx, &caller, Of::Dashboard, &uid, &b.0)
}

/// What a permission route is of.
#[derive(Clone, Copy)]
pub(super) enum Of {
    Folder,
    Dashboard,
}

impl Of {
    /// The object, or Grafana's 404 for it.
    pub(super) fn find(self, g: &Store, uid: &str) -> Result<Object, Response> {
        match self {
            Of::Folder => folder(g, uid).ok_or_else(|| msg(StatusCode::NOT_FOUND, "Folder not found")),
            Of::Dashboard => dashboard(g, uid).ok_or_else(super::dashboards::dashboard_not_found),
        }
    }

    pub(super) fn action(self, verb: &str) -> String {
        match self {
            Of::Folder => format!("folders.permissions:{verb}"),
            Of::Dashboard => format!("dashboards.permissions:{verb}"),
        }
    }

    /// Where the objects' own permissions are kept.
    pub(super) fn store(self, g: &mut Store) -> &mut BTreeMap<String, Vec<PermissionRec>> {
        match self {
            Of::Folder => &mut g.folder_permissions,
            Of::Dashboard => &mut g.dashboard_permissions,
        }
    }
}

fn get(ctx: &Ctx, caller: &Caller, of: Of, uid: &str) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, &of.action("read"))?;
    let g = ws.grafana.lock().expect("lock");
    let object = of.find(&g, uid)?;
    ok(listed(&g, &object))
}

fn set(ctx: &Ctx, caller: &Caller, of: Of, uid: &str, b: &serde_json::Map<String, Value>) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, &of.action("write"))?;
    let mut g = ws.grafana.lock().expect("lock");
    of.find(&g, uid)?;
    let items = items_of(b, &g)?;
    of.store(&mut g).insert(uid.to_string(), items);
    let said = match of {
        Of::Folder => "Folder permissions updated",
        Of::Dashboard => "Dashboard permissions updated",
    };
    ok(json!({ "message": said }))
}

/// A POST's `items`, checked as Grafana checks them.
fn items_of(b: &serde_json::Map<String, Value>, g: &Store) -> Result<Vec<PermissionRec>, Response> {
    let items = b.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut out: Vec<PermissionRec> = Vec::new();
    for item in &items {
        let p = item_of(item, g).map_err(|m| msg(StatusCode::BAD_REQUEST, m))?;
        if out.iter().any(|o| (&o.role, o.team_id, o.user_id) == (&p.role, p.team_id, p.user_id)) {
            return Err(msg(StatusCode::BAD_REQUEST, "Duplicate permission"));
        }
        out.push(p);
    }
    Ok(out)
}

fn item_of(item: &Value, g: &Store) -> Result<PermissionRec, &'static str> {
    let role = item.get("role").and_then(Value::as_str).filter(|r| !r.is_empty()).map(str::to_string);
    let team_id = item.get("teamId").and_then(Value::as_i64).unwrap_or(0);
    let user_id = item.get("userId").and_then(Value::as_i64).unwrap_or(0);
    let permission = item.get("permission").and_then(Value::as_i64).unwrap_or(0);
    // `validatePermissionsUpdate`, then the role-based store's own checks. (Grafana's two
    // messages are each the other's: `dashboardaccess.ErrPermissionsWith…NotAllowed`.)
    if user_id > 0 && team_id > 0 {
        return Err("team and user permissions cannot have an associated role");
    }
    if (user_id > 0 || team_id > 0) && role.is_some() {
        return Err("permissions cannot have both a user and team");
    }
    if ![1, 2, 4].contains(&permission) {
        return Err("Invalid permission");
    }
    match (&role, team_id, user_id) {
        (Some(r), 0, 0) if ["Viewer", "Editor", "Admin"].contains(&r.as_str()) => {}
        (None, t, 0) if t > 0 && g.teams.iter().any(|x| x.id == t) => {}
        (None, 0, u) if u > 0 && g.users.iter().any(|x| x.id == u) => {}
        (None, t, 0) if t > 0 => return Err("Team not found"),
        (None, 0, u) if u > 0 => return Err("User not found"),
        _ => return Err("Permission item must name one of role, teamId or userId"),
    }
    Ok(PermissionRec { role, team_id, user_id, permission })
}
