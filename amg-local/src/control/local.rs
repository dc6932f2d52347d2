//! amg-local's own endpoints (not AMG's), under `/_amg-local/`: the request and object
//! counters, and provisioning what Grafana provisions from files, which its HTTP API cannot
//! make: read-only data sources and plugin dashboards.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{R, body_json, ok, require_str, workspace};
use crate::world::Shared;

pub(super) async fn stats(State(world): State<Shared>) -> axum::Json<Value> {
    axum::Json(world.stats_json())
}

/// `GET /_amg-local/issued-credentials`: every token and API key issued so far, deleted and
/// expired ones included, for tests that scan logs and files for leaked secrets.
pub(super) async fn issued_credentials(State(world): State<Shared>) -> axum::Json<Value> {
    axum::Json(json!({ "keys": *world.issued.lock().expect("lock") }))
}

/// `POST /_amg-local/workspaces/{id}/expire-credentials`: every token and API key of the
/// workspace but the emulator's own admin token expires now (they stay listed, and counted against the cap, until deleted), as
/// when a run outlives its token's TTL; Grafana answers 401 to them from then on.
pub(super) async fn expire_credentials(State(world): State<Shared>, Path(id): Path<String>) -> R {
    let ws = workspace(&world, &id)?;
    let now = crate::world::now_epoch();
    let mut n = 0;
    let mut acc = ws.accounts.lock().expect("lock");
    for sa in acc.service_accounts.values_mut().filter(|sa| sa.name != crate::world::ADMIN_SERVICE_ACCOUNT) {
        for t in sa.tokens.values_mut().filter(|t| t.expires > now) {
            t.expires = now;
            n += 1;
        }
    }
    for k in acc.api_keys.values_mut().filter(|k| k.expires > now) {
        k.expires = now;
        n += 1;
    }
    ok(StatusCode::OK, json!({ "expired": n }))
}

/// `POST /_amg-local/workspaces/{id}/provisioned/datasources` with a data source as Grafana's
/// add API takes it: stores it `readOnly`, as Grafana's file provisioning does, so writes to it
/// get Grafana's 403s.
pub(super) async fn provision_datasource(State(world): State<Shared>, Path(id): Path<String>, body: Bytes) -> R {
    let ws = workspace(&world, &id)?;
    let b = body_json(&body)?;
    let name = require_str(&b, "name")?.to_string();
    let kind = require_str(&b, "type")?.to_string();
    let mut g = ws.grafana.lock().expect("lock");
    let uid = b.get("uid").and_then(Value::as_str).map_or_else(|| world.new_uid(), str::to_string);
    let ds = crate::world::DsRec {
        id: g.next_id(),
        uid,
        name,
        kind,
        access: b.get("access").and_then(Value::as_str).unwrap_or("proxy").to_string(),
        url: b.get("url").and_then(Value::as_str).unwrap_or_default().to_string(),
        user: String::new(),
        database: String::new(),
        basic_auth: false,
        basic_auth_user: String::new(),
        with_credentials: false,
        is_default: g.datasources.is_empty(),
        json_data: b.get("jsonData").cloned().unwrap_or(json!({})),
        secure: Default::default(),
        version: 1,
        read_only: true,
    };
    let out = json!({"uid": ds.uid, "id": ds.id});
    g.datasources.push(ds);
    ok(StatusCode::OK, out)
}

/// `POST /_amg-local/workspaces/{id}/provisioned/dashboards` with `{"dashboard": {...},
/// "pluginId": "..."}`: stores a dashboard that belongs to a plugin (as an app plugin's bundled
/// dashboards do), which a save without `overwrite` is refused for (412 `plugin-dashboard`).
pub(super) async fn provision_dashboard(State(world): State<Shared>, Path(id): Path<String>, body: Bytes) -> R {
    let ws = workspace(&world, &id)?;
    let b = body_json(&body)?;
    let plugin = require_str(&b, "pluginId")?.to_string();
    let Some(Value::Object(mut data)) = b.get("dashboard").cloned() else {
        return Err(super::validation("dashboard must be an object"));
    };
    let title = data.get("title").and_then(Value::as_str).unwrap_or("Plugin dashboard").to_string();
    let mut g = ws.grafana.lock().expect("lock");
    let uid = data.get("uid").and_then(Value::as_str).map_or_else(|| world.new_uid(), str::to_string);
    let rec_id = g.next_id();
    data.insert("id".into(), json!(rec_id));
    data.insert("uid".into(), json!(uid));
    data.insert("version".into(), json!(1));
    let now = crate::world::now_rfc3339();
    g.dashboards.insert(
        uid.clone(),
        crate::world::DashRec {
            id: rec_id,
            uid: uid.clone(),
            title,
            folder_uid: None,
            data,
            version: 1,
            created: now.clone(),
            updated: now,
            created_by: "Anonymous".into(),
            updated_by: "Anonymous".into(),
            plugin_id: Some(plugin),
        },
    );
    g.dashboard_permissions.insert(uid.clone(), crate::grafana::permissions::defaults());
    ok(StatusCode::OK, json!({"uid": uid, "id": rec_id}))
}

/// `POST /_amg-local/workspaces/{id}/users` with `{"login", "email", "name", "role"}`: a user
/// appears in the workspace's organisation as single sign-on (IAM Identity Center or SAML)
/// makes them on their first sign-in; answers `{"id"}`. A login or email already there is a 409.
pub(super) async fn sign_in_user(State(world): State<Shared>, Path(id): Path<String>, body: Bytes) -> R {
    let ws = workspace(&world, &id)?;
    let b = body_json(&body)?;
    let login = require_str(&b, "login")?.to_string();
    let email = b.get("email").and_then(Value::as_str).unwrap_or(&login).to_string();
    let name = b.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let role = b.get("role").and_then(Value::as_str).unwrap_or("Viewer").to_string();
    if !["Admin", "Editor", "Viewer"].contains(&role.as_str()) {
        return ok(StatusCode::BAD_REQUEST, json!({"message": "role is Admin, Editor or Viewer"}));
    }
    let mut g = ws.grafana.lock().expect("lock");
    let taken =
        |u: &crate::world::UserRec| u.login.eq_ignore_ascii_case(&login) || u.email.eq_ignore_ascii_case(&email);
    if g.users.iter().any(taken) {
        return ok(StatusCode::CONFLICT, json!({"message": "a user with this login or email already exists"}));
    }
    let user_id = g.next_id();
    let uid = world.new_uid();
    g.users.push(crate::world::UserRec { id: user_id, uid, login, email, name, role });
    ok(StatusCode::OK, json!({ "id": user_id }))
}
