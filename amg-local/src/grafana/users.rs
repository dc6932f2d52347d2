//! The organisation's users: `GET /api/org/users` and `GET /api/org/users/lookup` (Grafana's
//! `org_users.go`). On AMG users come from IAM Identity Center or SAML and appear on their first
//! sign-in; here `POST /_amg-local/workspaces/{id}/users` makes them. `query` matches login,
//! email or name (case-insensitive, anywhere in them), `limit` caps the answer (0: no cap);
//! users come ordered by login. Listing needs `org.users:read` (Admin); the lookup, which
//! pickers use, Editor.

use axum::extract::{Query, State};
use serde_json::{Value, json};

use super::Ctx;
use super::auth::Caller;
use super::envelope::{R, ok};
use crate::world::{Profile, Role, UserRec};

#[derive(serde::Deserialize)]
pub(super) struct UserQuery {
    #[serde(default)]
    query: String,
    #[serde(default)]
    limit: usize,
}

pub(super) async fn org_users(State(ctx): State<Ctx>, caller: Caller, Query(q): Query<UserQuery>) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "org.users:read")?;
    let g = ws.grafana.lock().expect("lock");
    let answer = |u: &UserRec| {
        let mut v = json!({"orgId": 1, "userId": u.id, "email": u.email, "name": u.name, "login": u.login,
            "role": u.role, "avatarUrl": format!("/avatar/{}", u.uid), "lastSeenAt": "2026-01-01T00:00:00Z",
            "lastSeenAtAge": "1 day", "isDisabled": false});
        if ws.profile == Profile::V12_4 {
            v["uid"] = json!(u.uid);
        }
        v
    };
    ok(Value::Array(matching(&g.users, &q).into_iter().map(answer).collect()))
}

pub(super) async fn lookup_org_users(State(ctx): State<Ctx>, caller: Caller, Query(q): Query<UserQuery>) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Editor, "org.users:read")?;
    let g = ws.grafana.lock().expect("lock");
    let answer = |u: &UserRec| json!({"userId": u.id, "login": u.login, "avatarUrl": format!("/avatar/{}", u.uid)});
    ok(Value::Array(matching(&g.users, &q).into_iter().map(answer).collect()))
}

fn matching<'a>(users: &'a [UserRec], q: &UserQuery) -> Vec<&'a UserRec> {
    let needle = q.query.to_lowercase();
    let mut found: Vec<&UserRec> = users
        .iter()
        .filter(|u| [&u.login, &u.email, &u.name].iter().any(|f| f.to_lowercase().contains(&needle)))
        .collect();
    found.sort_by(|a, b| a.login.cmp(&b.login));
    if q.limit > 0 {
        found.truncate(q.limit);
    }
    found
}
