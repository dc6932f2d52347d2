//! Teams: `/api/teams` (Grafana's `team.go`, `team_members.go`, preferences). A name is unique
//! in the organisation (409 `Team name taken`); members are users who signed in, added one at a
//! time (400 when already one), removed one at a time (404 when not one); preferences are put
//! whole. Writes need Admin here (`teams:create`, `teams:write`); reads Viewer, as Grafana's
//! team search. 12.4 answers carry `uid`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::Ctx;
use super::auth::Caller;
use super::envelope::{Body, R, msg, ok};
use crate::world::{Profile, Role, Store, TeamRec};

fn answer(profile: Profile, t: &TeamRec) -> Value {
    let mut v = json!({"id": t.id, "orgId": 1, "name": t.name, "email": t.email,
        "avatarUrl": format!("/avatar/{}", t.uid), "memberCount": t.members.len(), "permission": 0});
    if profile == Profile::V12_4 {
        v["uid"] = json!(t.uid);
    }
    v
}

fn team<'a>(g: &'a mut Store, id: &str) -> Result<&'a mut TeamRec, Response> {
    let id: i64 = id.parse().map_err(|_| msg(StatusCode::BAD_REQUEST, "teamId is invalid"))?;
    g.teams.iter_mut().find(|t| t.id == id).ok_or_else(|| msg(StatusCode::NOT_FOUND, "Team not found"))
}

pub(super) async fn create_team(State(ctx): State<Ctx>, caller: Caller, Body(b): Body) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "teams:create")?;
    let name = b.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    if name.is_empty() {
        return Err(msg(StatusCode::BAD_REQUEST, "bad request data"));
    }
    let email = b.get("email").and_then(Value::as_str).unwrap_or_default().to_string();
    let mut g = ws.grafana.lock().expect("lock");
    if g.teams.iter().any(|t| t.name == name) {
        return Err(msg(StatusCode::CONFLICT, "Team name taken"));
    }
    let id = g.next_id();
    let uid = ctx.world.new_uid();
    g.teams.push(TeamRec { id, uid: uid.clone(), name, email, members: Vec::new(), preferences: json!({}) });
    let mut body = json!({"message": "Team created", "teamId": id});
    if ws.profile == Profile::V12_4 {
        body["uid"] = json!(uid);
    }
    ok(body)
}

pub(super) async fn get_team(State(ctx): State<Ctx>, caller: Caller, Path(id): Path<String>) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Viewer, "teams:read")?;
    let mut g = ws.grafana.lock().expect("lock");
    ok(answer(ws.profile, team(&mut g, &id)?))
}

pub(super) async fn update_team(State(ctx): State<Ctx>, caller: Caller, Path(id): Path<String>, Body(b): Body) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "teams:write")?;
    let mut g = ws.grafana.lock().expect("lock");
    let name = b.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let this: i64 = team(&mut g, &id)?.id;
    if !name.is_empty() && g.teams.iter().any(|t| t.name == name && t.id != this) {
        return Err(msg(StatusCode::CONFLICT, "Team name taken"));
    }
    let t = team(&mut g, &id)?;
    if !name.is_empty() {
        t.name = name;
    }
    t.email = b.get("email").and_then(Value::as_str).unwrap_or_default().to_string();
    ok(json!({"message": "Team updated"}))
}

pub(super) async fn delete_team(State(ctx): State<Ctx>, caller: Caller, Path(id): Path<String>) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "teams:delete")?;
    let mut g = ws.grafana.lock().expect("lock");
    let this = team(&mut g, &id)?.id;
    g.teams.retain(|t| t.id != this);
    ok(json!({"message": "Team deleted"}))
}

#[derive(serde::Deserialize)]
pub(super) struct SearchQuery {
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
}

pub(super) async fn search_teams(State(ctx): State<Ctx>, caller: Caller, Query(q): Query<SearchQuery>) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Viewer, "teams:read")?;
    let g = ws.grafana.lock().expect("lock");
    let needle = q.query.to_lowercase();
    let teams: Vec<Value> = g
        .teams
        .iter()
        .filter(|t| (q.name.is_empty() || t.name == q.name) && t.name.to_lowercase().contains(&needle))
        .map(|t| answer(ws.profile, t))
        .collect();
    ok(json!({"totalCount": teams.len(), "teams": teams, "page": 1, "perPage": 1000}))
}

pub(super) async fn team_members(State(ctx): State<Ctx>, caller: Caller, Path(id): Path<String>) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Viewer, "teams.permissions:read")?;
    let mut g = ws.grafana.lock().expect("lock");
    let (team_id, members) = {
        let t = team(&mut g, &id)?;
        (t.id, t.members.clone())
    };
    let out: Vec<Value> = members
        .iter()
        .filter_map(|m| g.users.iter().find(|u| u.id == *m))
        .map(|u| {
            json!({"orgId": 1, "teamId": team_id, "userId": u.id, "email": u.email, "name": u.name,
            "login": u.login, "avatarUrl": format!("/avatar/{}", u.uid), "labels": [], "permission": 0})
        })
        .collect();
    ok(Value::Array(out))
}

pub(super) async fn add_team_member(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path(id): Path<String>,
    Body(b): Body,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "teams.permissions:write")?;
    let mut g = ws.grafana.lock().expect("lock");
    let user = b.get("userId").and_then(Value::as_i64).unwrap_or(0);
    if !g.users.iter().any(|u| u.id == user) {
        return Err(msg(StatusCode::NOT_FOUND, "User not found"));
    }
    let t = team(&mut g, &id)?;
    if t.members.contains(&user) {
        return Err(msg(StatusCode::BAD_REQUEST, "User is already added to this team"));
    }
    t.members.push(user);
    ok(json!({"message": "Member added to Team"}))
}

pub(super) async fn remove_team_member(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path((id, user)): Path<(String, i64)>,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "teams.permissions:write")?;
    let mut g = ws.grafana.lock().expect("lock");
    let t = team(&mut g, &id)?;
    if !t.members.contains(&user) {
        return Err(msg(StatusCode::NOT_FOUND, "Team member not found"));
    }
    t.members.retain(|m| *m != user);
    ok(json!({"message": "Team Member removed"}))
}

pub(super) async fn get_team_preferences(State(ctx): State<Ctx>, caller: Caller, Path(id): Path<String>) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Viewer, "teams:read")?;
    let mut g = ws.grafana.lock().expect("lock");
    let p = &team(&mut g, &id)?.preferences;
    let text = |k: &str| p.get(k).cloned().unwrap_or(json!(""));
    ok(json!({"theme": text("theme"), "homeDashboardUID": text("homeDashboardUID"), "timezone": text("timezone"),
        "weekStart": text("weekStart")}))
}

pub(super) async fn put_team_preferences(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path(id): Path<String>,
    Body(b): Body,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "teams:write")?;
    let theme = b.get("theme").and_then(Value::as_str).unwrap_or_default();
    if !["", "light", "dark", "system"].contains(&theme) {
        return Err(msg(StatusCode::BAD_REQUEST, "Invalid theme"));
    }
    let mut g = ws.grafana.lock().expect("lock");
    let keep = |k: &str| b.get(k).cloned().unwrap_or(json!(""));
    team(&mut g, &id)?.preferences = json!({"theme": theme, "homeDashboardUID": keep("homeDashboardUID"),
        "timezone": keep("timezone"), "weekStart": keep("weekStart")});
    ok(json!({"message": "Preferences updated"}))
}
