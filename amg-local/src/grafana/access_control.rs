//! Grafana's role-based permission API for folders and dashboards, served only with
//! `--access-control` (a Grafana outside AMG; AMG answers 404): `GET
//! /api/access-control/{folders|dashboards}/description`, `GET` and `POST
//! /api/access-control/{folders|dashboards}/{uid}` (`pkg/services/accesscontrol/resourcepermissions`).
//! The same permissions as the legacy endpoints: a GET answers the object's own as managed, those
//! of the folders above it flagged `isInherited`, and the basic Admin role, not managed; a POST
//! sets each listed grant (`"permission": ""` removes one) and leaves the others.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::Ctx;
use super::auth::Caller;
use super::envelope::{Body, R, gerr, msg, ok};
use super::permissions::{Of, level, level_name};
use crate::world::{PermissionRec, Role, Store};

fn not_served() -> Response {
    gerr(StatusCode::NOT_FOUND, json!({"message": "Not found"}))
}

/// What the route is of, where the API is served at all.
fn served(ctx: &Ctx, resource: &str) -> Result<Of, Response> {
    match resource {
        "folders" if ctx.world.access_control => Ok(Of::Folder),
        "dashboards" if ctx.world.access_control => Ok(Of::Dashboard),
        _ => Err(not_served()),
    }
}

pub(super) async fn description(State(ctx): State<Ctx>, Path(resource): Path<String>) -> R {
    served(&ctx, &resource)?;
    ok(json!({"assignments": {"users": true, "serviceAccounts": true, "teams": true, "builtInRoles": true},
        "permissions": ["View", "Edit", "Admin"]}))
}

pub(super) async fn get_permissions(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path((resource, uid)): Path<(String, String)>,
) -> R {
    let of = served(&ctx, &resource)?;
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, &of.action("read"))?;
    let g = ws.grafana.lock().expect("lock");
    let object = of.find(&g, &uid)?;
    let mut out: Vec<Value> = object.own.iter().map(|p| dto(&g, p, false)).collect();
    out.extend(object.inherited(&g).iter().map(|p| dto(&g, p, true)));
    out.push(json!({"id": 0, "roleName": "basic:admin", "isManaged": false, "isInherited": false,
        "isServiceAccount": false, "userId": 0, "userLogin": "", "teamId": 0, "team": "", "builtInRole": "Admin",
        "actions": [], "permission": "Admin"}));
    ok(Value::Array(out))
}

pub(super) async fn set_permissions(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path((resource, uid)): Path<(String, String)>,
    Body(b): Body,
) -> R {
    let of = served(&ctx, &resource)?;
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, &of.action("write"))?;
    let mut g = ws.grafana.lock().expect("lock");
    let mut own = of.find(&g, &uid)?.own;
    for cmd in b.get("permissions").and_then(Value::as_array).into_iter().flatten() {
        let (who, permission) = command(cmd, &g).map_err(|m| msg(StatusCode::BAD_REQUEST, &m))?;
        own.retain(|p| (&p.role, p.team_id, p.user_id) != (&who.role, who.team_id, who.user_id));
        if permission > 0 {
            own.push(PermissionRec { permission, ..who });
        }
    }
    of.store(&mut g).insert(uid, own);
    ok(json!({"message": "Permissions updated"}))
}

fn dto(g: &Store, p: &PermissionRec, inherited: bool) -> Value {
    let user = g.users.iter().find(|u| u.id == p.user_id);
    let team = g.teams.iter().find(|t| t.id == p.team_id);
    let role_name = match (&p.role, p.team_id, p.user_id) {
        (Some(r), _, _) => format!("managed:builtins:{}:permissions", r.to_lowercase()),
        (None, t, 0) => format!("managed:teams:{t}:permissions"),
        (None, _, u) => format!("managed:users:{u}:permissions"),
    };
    json!({"id": p.team_id.max(p.user_id), "roleName": role_name, "isManaged": true, "isInherited": inherited,
        "isServiceAccount": false, "userId": p.user_id, "userLogin": user.map(|u| u.login.as_str()).unwrap_or(""),
        "teamId": p.team_id, "team": team.map(|t| t.name.as_str()).unwrap_or(""),
        "builtInRole": p.role.clone().unwrap_or_default(), "actions": [], "permission": level_name(p.permission)})
}

/// One `SetResourcePermissionCommand`: who, and the level (0 removes).
fn command(cmd: &Value, g: &Store) -> Result<(PermissionRec, i64), String> {
    let role = cmd.get("builtInRole").and_then(Value::as_str).filter(|r| !r.is_empty()).map(str::to_string);
    let team_id = cmd.get("teamId").and_then(Value::as_i64).unwrap_or(0);
    let user_id = cmd.get("userId").and_then(Value::as_i64).unwrap_or(0);
    let permission = match cmd.get("permission").and_then(Value::as_str).unwrap_or("") {
        "" => 0,
        name => level(name).ok_or_else(|| format!("invalid permission {name:?}"))?,
    };
    match (&role, team_id, user_id) {
        (Some(r), 0, 0) if ["Viewer", "Editor", "Admin"].contains(&r.as_str()) => {}
        (Some(r), 0, 0) => return Err(format!("built-in role [{r}] is not valid")),
        (None, t, 0) if t > 0 && !g.teams.iter().any(|x| x.id == t) => return Err("team not found".into()),
        (None, 0, u) if u > 0 && !g.users.iter().any(|x| x.id == u) => return Err("user not found".into()),
        (None, t, 0) if t > 0 => {}
        (None, 0, u) if u > 0 => {}
        _ => return Err("exactly one of userId, teamId or builtInRole must be set".into()),
    }
    Ok((PermissionRec { role, team_id, user_id, permission: 0 }, permission))
}
