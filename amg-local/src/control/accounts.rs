//! Service accounts, their tokens, and API keys (Grafana 10.4 workspaces only).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{R, aws_error, body_json, conflict, not_found, ok, require_str, validation, workspace};
use crate::world::Shared;
use crate::world::{ApiKey, Credential, Role, ServiceAccount, now_epoch};

fn sa_id(s: &str) -> Result<u64, Response> {
    s.parse().map_err(|_| not_found("Service account", s))
}

pub(super) async fn create_sa(State(world): State<Shared>, Path(id): Path<String>, body: Bytes) -> R {
    let ws = workspace(&world, &id)?;
    let b = body_json(&body)?;
    let name = require_str(&b, "name")?;
    if name.is_empty() || name.len() > 128 {
        return Err(validation("name must be 1 to 128 characters"));
    }
    let role = Role::parse(require_str(&b, "grafanaRole")?)
        .ok_or_else(|| validation("grafanaRole must be ADMIN, EDITOR or VIEWER"))?;
    let mut acc = ws.accounts.lock().expect("lock");
    if acc.service_accounts.values().any(|s| s.name == name) {
        return Err(conflict(&format!("Service account {name} already exists"), name, "SERVICE_ACCOUNT"));
    }
    acc.next_sa += 1;
    let sid = acc.next_sa;
    acc.service_accounts.insert(
        sid,
        ServiceAccount { id: sid, name: name.into(), login: format!("sa-{name}"), role, tokens: Default::default() },
    );
    ok(StatusCode::OK, json!({ "id": sid.to_string(), "name": name, "grafanaRole": role.aws(), "workspaceId": id }))
}

#[derive(serde::Deserialize)]
pub(super) struct Page {
    #[serde(rename = "maxResults")]
    max_results: Option<usize>,
    #[serde(rename = "nextToken")]
    next_token: Option<String>,
}

fn paginate(items: Vec<Value>, p: &Page) -> (Vec<Value>, Option<String>) {
    let start: usize = p.next_token.as_deref().and_then(|t| t.parse().ok()).unwrap_or(0);
    let n = p.max_results.unwrap_or(100).clamp(1, 100);
    let next = (start + n < items.len()).then(|| (start + n).to_string());
    (items.into_iter().skip(start).take(n).collect(), next)
}

pub(super) async fn list_sas(State(world): State<Shared>, Path(id): Path<String>, Query(p): Query<Page>) -> R {
    let ws = workspace(&world, &id)?;
    let all: Vec<Value> = ws
        .accounts
        .lock()
        .expect("lock")
        .service_accounts
        .values()
        .map(|s| json!({"id": s.id.to_string(), "name": s.name, "isDisabled": "false", "grafanaRole": s.role.aws()}))
        .collect();
    let (items, next) = paginate(all, &p);
    let mut out = json!({ "serviceAccounts": items, "workspaceId": id });
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    ok(StatusCode::OK, out)
}

pub(super) async fn delete_sa(State(world): State<Shared>, Path((id, sa)): Path<(String, String)>) -> R {
    let ws = workspace(&world, &id)?;
    let sid = sa_id(&sa)?;
    if ws.accounts.lock().expect("lock").service_accounts.remove(&sid).is_none() {
        return Err(not_found("Service account", &sa));
    }
    world
        .credentials
        .lock()
        .expect("lock")
        .retain(|_, c| !matches!(c, Credential::Token { workspace, sa_id, .. } if workspace == &id && *sa_id == sid));
    ok(StatusCode::OK, json!({ "serviceAccountId": sa, "workspaceId": id }))
}

/// AMG's cap on tokens per service account; expired tokens count until deleted.
const MAX_TOKENS: usize = 99;

pub(super) async fn create_token(
    State(world): State<Shared>,
    Path((id, sa)): Path<(String, String)>,
    body: Bytes,
) -> R {
    let ws = workspace(&world, &id)?;
    let sid = sa_id(&sa)?;
    let b = body_json(&body)?;
    let name = require_str(&b, "name")?.to_string();
    if name.is_empty() || name.len() > 128 {
        return Err(validation("name must be 1 to 128 characters"));
    }
    let ttl = b.get("secondsToLive").and_then(Value::as_u64).ok_or_else(|| validation("secondsToLive is required"))?;
    if !(1..=2_592_000).contains(&ttl) {
        return Err(validation(
            "1 validation error detected: Value at 'secondsToLive' failed to satisfy constraint: Member must have value between 1 and 2592000",
        ));
    }
    {
        let acc = ws.accounts.lock().expect("lock");
        let s = acc.service_accounts.get(&sid).ok_or_else(|| not_found("Service account", &sa))?;
        if s.tokens.len() >= MAX_TOKENS {
            let mut r = aws_error(
                StatusCode::PAYMENT_REQUIRED,
                "ServiceQuotaExceededException",
                &format!("Service account {sa} already has {MAX_TOKENS} tokens (expired tokens count until deleted)"),
                Some((&sa, "SERVICE_ACCOUNT_TOKEN")),
            );
            let body = json!({"message": "Token quota reached", "resourceId": sa, "resourceType": "SERVICE_ACCOUNT_TOKEN", "serviceCode": "grafana", "quotaCode": "L-SATOKENS"});
            *r.body_mut() = axum::body::Body::from(body.to_string());
            return Err(r);
        }
        if s.tokens.values().any(|t| t.name == name) {
            return Err(conflict(&format!("Token {name} already exists"), &name, "SERVICE_ACCOUNT_TOKEN"));
        }
    }
    let (tid, key) = world.mint_token(&ws, sid, &name, ttl).ok_or_else(|| not_found("Service account", &sa))?;
    ok(
        StatusCode::OK,
        json!({ "serviceAccountId": sa, "serviceAccountToken": {"id": tid.to_string(), "name": name, "key": key}, "workspaceId": id }),
    )
}

pub(super) async fn list_tokens(
    State(world): State<Shared>,
    Path((id, sa)): Path<(String, String)>,
    Query(p): Query<Page>,
) -> R {
    let ws = workspace(&world, &id)?;
    let sid = sa_id(&sa)?;
    let all: Vec<Value> = {
        let acc = ws.accounts.lock().expect("lock");
        let s = acc.service_accounts.get(&sid).ok_or_else(|| not_found("Service account", &sa))?;
        s.tokens
            .values()
            .map(|t| json!({"id": t.id.to_string(), "name": t.name, "createdAt": t.created, "expiresAt": t.expires}))
            .collect()
    };
    let (items, next) = paginate(all, &p);
    let mut out = json!({ "serviceAccountTokens": items, "serviceAccountId": sa, "workspaceId": id });
    if let Some(n) = next {
        out["nextToken"] = json!(n);
    }
    ok(StatusCode::OK, out)
}

pub(super) async fn delete_token(
    State(world): State<Shared>,
    Path((id, sa, token)): Path<(String, String, String)>,
) -> R {
    let ws = workspace(&world, &id)?;
    let sid = sa_id(&sa)?;
    let tid: u64 = token.parse().map_err(|_| not_found("Token", &token))?;
    {
        let mut acc = ws.accounts.lock().expect("lock");
        let s = acc.service_accounts.get_mut(&sid).ok_or_else(|| not_found("Service account", &sa))?;
        if s.tokens.remove(&tid).is_none() {
            return Err(not_found("Token", &token));
        }
    }
    world.credentials.lock().expect("lock").retain(
        |_, c| !matches!(c, Credential::Token { workspace, token_id, .. } if workspace == &id && *token_id == tid),
    );
    ok(StatusCode::OK, json!({ "tokenId": token, "serviceAccountId": sa, "workspaceId": id }))
}

// ---- API keys (Grafana 10.4 workspaces only) ----

pub(super) async fn create_api_key(State(world): State<Shared>, Path(id): Path<String>, body: Bytes) -> R {
    let ws = workspace(&world, &id)?;
    if !ws.profile.api_keys() {
        return Err(validation(
            "API keys are not supported on workspaces with Grafana version 12 and later; use service account tokens",
        ));
    }
    let b = body_json(&body)?;
    let name = require_str(&b, "keyName")?.to_string();
    if name.is_empty() || name.len() > 100 {
        return Err(validation("keyName must be 1 to 100 characters"));
    }
    let role = Role::parse(require_str(&b, "keyRole")?)
        .ok_or_else(|| validation("keyRole must be ADMIN, EDITOR or VIEWER"))?;
    let ttl = b.get("secondsToLive").and_then(Value::as_u64).ok_or_else(|| validation("secondsToLive is required"))?;
    if !(1..=2_592_000).contains(&ttl) {
        return Err(validation("secondsToLive must be between 1 and 2592000"));
    }
    let mut acc = ws.accounts.lock().expect("lock");
    if acc.api_keys.contains_key(&name) {
        return Err(conflict(&format!("API key {name} already exists"), &name, "API_KEY"));
    }
    let secret = world.random_alnum(32);
    let key = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        json!({"k": secret, "n": name, "id": 1}).to_string(),
    );
    acc.api_keys.insert(name.clone(), ApiKey { role, expires: now_epoch() + ttl as f64 });
    world
        .credentials
        .lock()
        .expect("lock")
        .insert(key.clone(), Credential::ApiKey { workspace: id.clone(), name: name.clone() });
    world.issued.lock().expect("lock").push(key.clone());
    ok(StatusCode::OK, json!({ "keyName": name, "key": key, "workspaceId": id }))
}

pub(super) async fn delete_api_key(State(world): State<Shared>, Path((id, name)): Path<(String, String)>) -> R {
    let ws = workspace(&world, &id)?;
    if ws.accounts.lock().expect("lock").api_keys.remove(&name).is_none() {
        return Err(not_found("API key", &name));
    }
    world
        .credentials
        .lock()
        .expect("lock")
        .retain(|_, c| !matches!(c, Credential::ApiKey { workspace, name: n } if workspace == &id && n == &name));
    ok(StatusCode::OK, json!({ "keyName": name, "workspaceId": id }))
}
