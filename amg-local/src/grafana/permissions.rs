//! Folder permissions through the legacy endpoints AMG serves (Grafana's
//! `folder_permission.go`): `GET`/`POST /api/folders/{uid}/permissions`. A new folder has
//! Grafana's defaults, Editor: Edit and Viewer: View. A POST replaces the whole list: each item
//! names one of `role` (`Viewer`, `Editor`, `Admin`), `teamId` or `userId` of one that exists, with
//! `permission` 1 (View), 2 (Edit) or 4 (Admin); an item twice is refused. The role-based
//! `/api/access-control/…` API answers 404, as on AMG (RBAC not served).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::Ctx;
use super::auth::Caller;
use super::envelope::{Body, R, msg, ok};
use crate::world::{PermissionRec, Role, Store};

/// Grafana's permissions of a new folder.
fn defaults() -> Vec<PermissionRec> {
    let role = |r: &str, permission| PermissionRec { role: Some(r.into()), team_id: 0, user_id: 0, permission };
    vec![role("Editor", 2), role("Viewer", 1)]
}

fn name(permission: i64) -> &'static str {
    match permission {
        1 => "View",
        2 => "Edit",
        _ => "Admin",
    }
}

pub(super) async fn get_folder_permissions(State(ctx): State<Ctx>, caller: Caller, Path(uid): Path<String>) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "folders.permissions:read")?;
    let g = ws.grafana.lock().expect("lock");
    let folder = g.folders.get(&uid).ok_or_else(|| msg(StatusCode::NOT_FOUND, "Folder not found"))?;
    let items = g.folder_permissions.get(&uid).cloned().unwrap_or_else(defaults);
    let out: Vec<Value> = items
        .iter()
        .map(|p| {
            let user = g.users.iter().find(|u| u.id == p.user_id);
            let team = g.teams.iter().find(|t| t.id == p.team_id);
            json!({"folderId": folder.id, "folderUid": uid, "dashboardId": folder.id, "uid": uid, "title": folder.title,
                "isFolder": true, "url": format!("/dashboards/f/{uid}/"), "inherited": false,
                "created": folder.created, "updated": folder.updated,
                "role": p.role.clone().unwrap_or_default(),
                "userId": p.user_id, "userLogin": user.map(|u| u.login.as_str()).unwrap_or(""),
                "userEmail": user.map(|u| u.email.as_str()).unwrap_or(""),
                "teamId": p.team_id, "team": team.map(|t| t.name.as_str()).unwrap_or(""),
                "permission": p.permission, "permissionName": name(p.permission)})
        })
        .collect();
    ok(Value::Array(out))
}

pub(super) async fn set_folder_permissions(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path(uid): Path<String>,
    Body(b): Body,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "folders.permissions:write")?;
    let mut g = ws.grafana.lock().expect("lock");
    if !g.folders.contains_key(&uid) {
        return Err(msg(StatusCode::NOT_FOUND, "Folder not found"));
    }
    let items = b.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut out: Vec<PermissionRec> = Vec::new();
    for item in &items {
        let p = item_of(item, &g).map_err(|m| msg(StatusCode::BAD_REQUEST, m))?;
        if out.iter().any(|o| (&o.role, o.team_id, o.user_id) == (&p.role, p.team_id, p.user_id)) {
            return Err(msg(StatusCode::BAD_REQUEST, "Duplicate permission"));
        }
        out.push(p);
    }
    g.folder_permissions.insert(uid, out);
    ok(json!({"message": "Folder permissions updated"}))
}

fn item_of(item: &Value, g: &Store) -> Result<PermissionRec, &'static str> {
    let role = item.get("role").and_then(Value::as_str).filter(|r| !r.is_empty()).map(str::to_string);
    let team_id = item.get("teamId").and_then(Value::as_i64).unwrap_or(0);
    let user_id = item.get("userId").and_then(Value::as_i64).unwrap_or(0);
    let permission = item.get("permission").and_then(Value::as_i64).unwrap_or(0);
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
