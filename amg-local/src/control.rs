//! The AMG control plane (service `grafana`, restJson1): workspaces, their configuration,
//! authentication and tags, service accounts, tokens and API keys.
//!
//! Errors are shaped as the AWS SDKs parse them: `x-amzn-ErrorType` header plus a JSON body
//! with `message` (and `resourceId`/`resourceType` where the model has them). Requests without
//! a SigV4 `Authorization` header are refused as AWS refuses them; any credentials are accepted.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

use crate::Shared;
use crate::world::{
    ACCOUNT, Accounts, ApiKey, Credential, Profile, REGION, Role, ServiceAccount, Store, Workspace, now_epoch,
};

pub fn router(world: Shared) -> Router {
    Router::new()
        .route("/workspaces", post(create_workspace).get(list_workspaces))
        .route("/workspaces/{id}", get(describe_workspace).put(update_workspace).delete(delete_workspace))
        .route("/workspaces/{id}/configuration", get(describe_configuration).put(update_configuration))
        .route("/workspaces/{id}/authentication", get(describe_authentication).post(update_authentication))
        .route("/tags/{arn}", get(list_tags).post(tag_resource).delete(untag_resource))
        .route("/workspaces/{id}/serviceaccounts", post(create_sa).get(list_sas))
        .route("/workspaces/{id}/serviceaccounts/{sa}", delete(delete_sa))
        .route("/workspaces/{id}/serviceaccounts/{sa}/tokens", post(create_token).get(list_tokens))
        .route("/workspaces/{id}/serviceaccounts/{sa}/tokens/{token}", delete(delete_token))
        .route("/workspaces/{id}/apikeys", post(create_api_key))
        .route("/workspaces/{id}/apikeys/{name}", delete(delete_api_key))
        .layer(axum::middleware::from_fn(require_sigv4))
        .route("/_amg-local/stats", get(stats))
        .fallback(|| async { aws_error(StatusCode::NOT_FOUND, "UnknownOperationException", "Unknown operation", None) })
        .with_state(world)
}

// ---- errors ----

type R = Result<Response, Response>;

fn aws_error(status: StatusCode, kind: &str, message: &str, resource: Option<(&str, &str)>) -> Response {
    let mut body = json!({ "message": message });
    if let Some((id, ty)) = resource {
        body["resourceId"] = json!(id);
        body["resourceType"] = json!(ty);
    }
    let mut r = (status, axum::Json(body)).into_response();
    let h = r.headers_mut();
    h.insert("x-amzn-ErrorType", HeaderValue::from_str(kind).expect("error type is ASCII"));
    h.insert("x-amzn-RequestId", HeaderValue::from_static("00000000-0000-4000-8000-000000000000"));
    r
}

fn validation(message: &str) -> Response {
    let mut r = aws_error(StatusCode::BAD_REQUEST, "ValidationException", message, None);
    let body = json!({"message": message, "reason": "FIELD_VALIDATION_FAILED"});
    *r.body_mut() = axum::body::Body::from(body.to_string());
    r
}

fn not_found(what: &str, id: &str) -> Response {
    let ty = match what {
        "Workspace" => "WORKSPACE",
        "Service account" => "SERVICE_ACCOUNT",
        "Token" => "SERVICE_ACCOUNT_TOKEN",
        _ => "API_KEY",
    };
    aws_error(StatusCode::NOT_FOUND, "ResourceNotFoundException", &format!("{what} {id} not found"), Some((id, ty)))
}

fn conflict(message: &str, id: &str, ty: &str) -> Response {
    aws_error(StatusCode::CONFLICT, "ConflictException", message, Some((id, ty)))
}

fn ok(status: StatusCode, body: Value) -> R {
    Ok((status, axum::Json(body)).into_response())
}

async fn require_sigv4(req: Request, next: Next) -> Response {
    let signed = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256 "));
    if !signed {
        return aws_error(
            StatusCode::FORBIDDEN,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
            None,
        );
    }
    // Fault injection for clients' retry logic: `x-amg-local-fault: throttle | internal`.
    match req.headers().get("x-amg-local-fault").and_then(|v| v.to_str().ok()) {
        Some("throttle") => {
            let mut r = aws_error(StatusCode::TOO_MANY_REQUESTS, "ThrottlingException", "Rate exceeded", None);
            r.headers_mut().insert("Retry-After", HeaderValue::from_static("1"));
            let body = json!({"message": "Rate exceeded", "serviceCode": "grafana", "quotaCode": "L-AMGLOCAL"});
            *r.body_mut() = axum::body::Body::from(body.to_string());
            return r;
        }
        Some("internal") => {
            let mut r =
                aws_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerException", "Internal server error", None);
            r.headers_mut().insert("Retry-After", HeaderValue::from_static("1"));
            return r;
        }
        _ => {}
    }
    next.run(req).await
}

fn body_json(b: &Bytes) -> Result<serde_json::Map<String, Value>, Response> {
    if b.is_empty() {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<Value>(b) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(aws_error(
            StatusCode::BAD_REQUEST,
            "SerializationException",
            "Could not parse the request body as JSON",
            None,
        )),
    }
}

fn workspace(world: &Shared, id: &str) -> Result<Arc<Workspace>, Response> {
    world.workspace(id).ok_or_else(|| not_found("Workspace", id))
}

fn str_field<'a>(m: &'a serde_json::Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str)
}

fn require_str<'a>(m: &'a serde_json::Map<String, Value>, k: &str) -> Result<&'a str, Response> {
    str_field(m, k).ok_or_else(|| {
        validation(&format!(
            "1 validation error detected: Value null at '{k}' failed to satisfy constraint: Member must not be null"
        ))
    })
}

// ---- workspaces ----

/// Creates the workspace the ready line names (ACTIVE at once, the `--grafana-version` profile).
pub async fn create_default_workspace(world: &Shared) -> Result<Arc<Workspace>, String> {
    let profile = Profile::parse(&world.args.grafana_version).unwrap_or(Profile::V12_4);
    let mut desc = serde_json::Map::new();
    desc.insert("name".into(), json!("amg-local"));
    desc.insert("accountAccessType".into(), json!("CURRENT_ACCOUNT"));
    desc.insert("permissionType".into(), json!("SERVICE_MANAGED"));
    desc.insert("authentication".into(), json!({"providers": ["AWS_SSO"]}));
    let ws = new_workspace(world, profile, desc).await?;
    ws.desc.lock().expect("lock").insert("status".into(), json!("ACTIVE"));
    Ok(ws)
}

async fn new_workspace(
    world: &Shared,
    profile: Profile,
    mut desc: serde_json::Map<String, Value>,
) -> Result<Arc<Workspace>, String> {
    let id = format!("g-{}", world.random_hex(10));
    let listener = crate::serve::bind_workspace_listener(world).await?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let now = now_epoch();
    for (k, v) in [
        ("id", json!(id)),
        ("endpoint", json!(addr.to_string())),
        ("grafanaVersion", json!(profile.label())),
        ("created", json!(now)),
        ("modified", json!(now)),
        ("status", json!("CREATING")),
        ("licenseType", json!("ENTERPRISE_FREE_TRIAL")),
        ("freeTrialConsumed", json!(false)),
    ] {
        desc.insert(k.into(), v);
    }
    // `dataSources` is a required member (empty list when none); optional members are omitted
    // when empty, as AWS's JSON protocols serialise them.
    desc.entry("dataSources").or_insert(json!([]));
    desc.entry("tags").or_insert(json!({}));
    desc.entry("configuration")
        .or_insert(json!(r#"{"plugins":{"pluginAdminEnabled":false},"unifiedAlerting":{"enabled":true}}"#));
    let ws = Arc::new(Workspace {
        id: id.clone(),
        profile,
        grafana_addr: addr,
        scheme: if world.tls.is_some() { "https" } else { "http" },
        desc: Mutex::new(desc),
        accounts: Mutex::new(Accounts::default()),
        grafana: Mutex::new(Store::default()),
    });
    world.workspaces.write().expect("lock").insert(id.clone(), ws.clone());
    crate::serve::serve_workspace(world.clone(), id, listener);
    Ok(ws)
}

/// The description as DescribeWorkspace returns it (without our internal `configuration`).
fn description(ws: &Workspace) -> Value {
    let mut d = ws.desc.lock().expect("lock").clone();
    d.remove("configuration");
    for k in ["notificationDestinations", "organizationalUnits"] {
        if d.get(k).and_then(Value::as_array).is_some_and(Vec::is_empty) {
            d.remove(k);
        }
    }
    Value::Object(d)
}

/// Moves a workspace to `to` after `after`, as AMG finishes an operation asynchronously.
fn settle(ws: Arc<Workspace>, to: &'static str, after: Duration) {
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        let mut d = ws.desc.lock().expect("lock");
        d.insert("status".into(), json!(to));
        d.insert("modified".into(), json!(now_epoch()));
    });
}

const SETTLE: Duration = Duration::from_millis(800);

/// Create/UpdateWorkspace request members → WorkspaceDescription members.
const WORKSPACE_MEMBERS: &[(&str, &str)] = &[
    ("workspaceName", "name"),
    ("workspaceDescription", "description"),
    ("workspaceDataSources", "dataSources"),
    ("workspaceNotificationDestinations", "notificationDestinations"),
    ("workspaceOrganizationalUnits", "organizationalUnits"),
    ("workspaceRoleArn", "workspaceRoleArn"),
    ("organizationRoleName", "organizationRoleName"),
    ("stackSetName", "stackSetName"),
    ("vpcConfiguration", "vpcConfiguration"),
    ("networkAccessControl", "networkAccessControl"),
];

/// Members only CreateWorkspace takes (tags and configuration have operations of their own).
const CREATE_ONLY_MEMBERS: &[(&str, &str)] =
    &[("tags", "tags"), ("configuration", "configuration"), ("kmsKeyId", "kmsKeyId")];

fn copy_members(
    from: &serde_json::Map<String, Value>,
    to: &mut serde_json::Map<String, Value>,
    members: &[(&str, &str)],
) {
    for (src, dst) in members {
        if let Some(v) = from.get(*src) {
            to.insert((*dst).into(), v.clone());
        }
    }
}

async fn create_workspace(State(world): State<Shared>, body: Bytes) -> R {
    let b = body_json(&body)?;
    let access = require_str(&b, "accountAccessType")?;
    if !["CURRENT_ACCOUNT", "ORGANIZATION"].contains(&access) {
        return Err(validation("accountAccessType must be CURRENT_ACCOUNT or ORGANIZATION"));
    }
    let perm = require_str(&b, "permissionType")?;
    if !["CUSTOMER_MANAGED", "SERVICE_MANAGED"].contains(&perm) {
        return Err(validation("permissionType must be CUSTOMER_MANAGED or SERVICE_MANAGED"));
    }
    let providers = b.get("authenticationProviders").and_then(Value::as_array).cloned().unwrap_or_default();
    if providers.is_empty() || providers.iter().any(|p| !matches!(p.as_str(), Some("AWS_SSO" | "SAML"))) {
        return Err(validation("authenticationProviders must list AWS_SSO and/or SAML"));
    }
    let profile = match str_field(&b, "grafanaVersion") {
        None => Profile::parse(&world.args.grafana_version).unwrap_or(Profile::V12_4),
        Some(v) => Profile::parse(v).ok_or_else(|| {
            validation(&format!("grafanaVersion {v} is not supported by amg-local; use 10.4 or 12.4"))
        })?,
    };
    if let Some(name) = str_field(&b, "workspaceName") {
        let taken = world
            .workspaces
            .read()
            .expect("lock")
            .values()
            .any(|w| w.desc.lock().expect("lock").get("name").and_then(Value::as_str) == Some(name));
        if taken {
            return Err(conflict(&format!("A workspace named {name} already exists"), name, "WORKSPACE"));
        }
    }
    let mut desc = serde_json::Map::new();
    desc.insert("accountAccessType".into(), json!(access));
    desc.insert("permissionType".into(), json!(perm));
    desc.insert("authentication".into(), json!({ "providers": providers }));
    copy_members(&b, &mut desc, CREATE_ONLY_MEMBERS);
    copy_members(&b, &mut desc, WORKSPACE_MEMBERS);
    let ws = new_workspace(&world, profile, desc)
        .await
        .map_err(|e| aws_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerException", &e, None))?;
    settle(ws.clone(), "ACTIVE", SETTLE);
    ok(StatusCode::ACCEPTED, json!({ "workspace": description(&ws) }))
}

async fn describe_workspace(State(world): State<Shared>, Path(id): Path<String>) -> R {
    let ws = workspace(&world, &id)?;
    ok(StatusCode::OK, json!({ "workspace": description(&ws) }))
}

async fn list_workspaces(State(world): State<Shared>) -> R {
    let list: Vec<Value> = world
        .workspaces
        .read()
        .expect("lock")
        .values()
        .map(|ws| {
            let d = ws.desc.lock().expect("lock");
            let mut s = serde_json::Map::new();
            for k in ["id", "name", "description", "created", "modified", "endpoint", "grafanaVersion", "status", "notificationDestinations", "tags", "licenseType"] {
                if let Some(v) = d.get(k) {
                    s.insert(k.into(), v.clone());
                }
            }
            s.insert("authentication".into(), json!({"providers": d.get("authentication").and_then(|a| a.get("providers")).cloned().unwrap_or(json!([]))}));
            Value::Object(s)
        })
        .collect();
    ok(StatusCode::OK, json!({ "workspaces": list }))
}

async fn update_workspace(State(world): State<Shared>, Path(id): Path<String>, body: Bytes) -> R {
    let ws = workspace(&world, &id)?;
    let b = body_json(&body)?;
    {
        let mut d = ws.desc.lock().expect("lock");
        copy_members(&b, &mut d, &[("accountAccessType", "accountAccessType"), ("permissionType", "permissionType")]);
        copy_members(&b, &mut d, WORKSPACE_MEMBERS);
        for (flag, key) in [
            ("removeVpcConfiguration", "vpcConfiguration"),
            ("removeNetworkAccessConfiguration", "networkAccessControl"),
        ] {
            if b.get(flag).and_then(Value::as_bool) == Some(true) {
                d.remove(key);
            }
        }
        d.insert("status".into(), json!("UPDATING"));
        d.insert("modified".into(), json!(now_epoch()));
    }
    settle(ws.clone(), "ACTIVE", SETTLE);
    ok(StatusCode::ACCEPTED, json!({ "workspace": description(&ws) }))
}

async fn delete_workspace(State(world): State<Shared>, Path(id): Path<String>) -> R {
    let ws = workspace(&world, &id)?;
    ws.desc.lock().expect("lock").insert("status".into(), json!("DELETING"));
    let out = description(&ws);
    let w = world.clone();
    tokio::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        w.workspaces.write().expect("lock").remove(&id);
        w.credentials.lock().expect("lock").retain(|_, c| match c {
            Credential::Token { workspace, .. } | Credential::ApiKey { workspace, .. } => workspace != &id,
        });
    });
    ok(StatusCode::ACCEPTED, json!({ "workspace": out }))
}

async fn describe_configuration(State(world): State<Shared>, Path(id): Path<String>) -> R {
    let ws = workspace(&world, &id)?;
    let d = ws.desc.lock().expect("lock");
    ok(
        StatusCode::OK,
        json!({ "configuration": d.get("configuration").cloned().unwrap_or(json!("{}")), "grafanaVersion": ws.profile.label() }),
    )
}

async fn update_configuration(State(world): State<Shared>, Path(id): Path<String>, body: Bytes) -> R {
    let ws = workspace(&world, &id)?;
    let b = body_json(&body)?;
    let conf = require_str(&b, "configuration")?;
    if serde_json::from_str::<serde_json::Map<String, Value>>(conf).is_err() {
        return Err(validation("configuration must be a JSON object"));
    }
    if let Some(v) = str_field(&b, "grafanaVersion") {
        if v != ws.profile.label() {
            return Err(validation("amg-local cannot change a workspace's Grafana version"));
        }
    }
    ws.desc.lock().expect("lock").insert("configuration".into(), json!(conf));
    ok(StatusCode::ACCEPTED, json!({}))
}

async fn describe_authentication(State(world): State<Shared>, Path(id): Path<String>) -> R {
    let ws = workspace(&world, &id)?;
    let auth = ws.desc.lock().expect("lock").get("authentication").cloned().unwrap_or(json!({"providers": []}));
    let mut out = auth.clone();
    if auth["providers"].as_array().is_some_and(|p| p.iter().any(|x| x == "AWS_SSO")) {
        out["awsSso"] = json!({ "ssoClientId": format!("sso-{}", ws.id) });
    }
    if auth["providers"].as_array().is_some_and(|p| p.iter().any(|x| x == "SAML")) && out.get("saml").is_none() {
        out["saml"] = json!({ "status": "NOT_CONFIGURED" });
    }
    ok(StatusCode::OK, json!({ "authentication": out }))
}

async fn update_authentication(State(world): State<Shared>, Path(id): Path<String>, body: Bytes) -> R {
    let ws = workspace(&world, &id)?;
    let b = body_json(&body)?;
    let providers =
        b.get("authenticationProviders").cloned().ok_or_else(|| validation("authenticationProviders is required"))?;
    let mut auth = json!({ "providers": providers });
    if let Some(saml) = b.get("samlConfiguration") {
        auth["saml"] = json!({ "configuration": saml, "status": "CONFIGURED" });
    }
    ws.desc.lock().expect("lock").insert("authentication".into(), auth.clone());
    ok(StatusCode::OK, json!({ "authentication": auth }))
}

// ---- tags ----

fn workspace_by_arn(world: &Shared, arn: &str) -> Result<Arc<Workspace>, Response> {
    let id = arn.rsplit('/').next().unwrap_or_default();
    if !arn.starts_with(&format!("arn:aws:grafana:{REGION}:{ACCOUNT}:/workspaces/")) {
        return Err(validation(&format!("{arn} is not a workspace ARN")));
    }
    workspace(world, id)
}

async fn list_tags(State(world): State<Shared>, Path(arn): Path<String>) -> R {
    let ws = workspace_by_arn(&world, &arn)?;
    let tags = ws.desc.lock().expect("lock").get("tags").cloned().unwrap_or(json!({}));
    ok(StatusCode::OK, json!({ "tags": tags }))
}

async fn tag_resource(State(world): State<Shared>, Path(arn): Path<String>, body: Bytes) -> R {
    let ws = workspace_by_arn(&world, &arn)?;
    let b = body_json(&body)?;
    let new = b.get("tags").and_then(Value::as_object).cloned().ok_or_else(|| validation("tags is required"))?;
    let mut d = ws.desc.lock().expect("lock");
    let tags = d.entry("tags").or_insert(json!({}));
    for (k, v) in new {
        tags[k] = v;
    }
    ok(StatusCode::OK, json!({}))
}

async fn untag_resource(
    State(world): State<Shared>,
    Path(arn): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> R {
    let ws = workspace_by_arn(&world, &arn)?;
    let mut d = ws.desc.lock().expect("lock");
    if let Some(Value::Object(tags)) = d.get_mut("tags") {
        for (k, v) in q {
            if k == "tagKeys" {
                tags.remove(&v);
            }
        }
    }
    ok(StatusCode::OK, json!({}))
}

// ---- service accounts and tokens ----

fn sa_id(s: &str) -> Result<u64, Response> {
    s.parse().map_err(|_| not_found("Service account", s))
}

async fn create_sa(State(world): State<Shared>, Path(id): Path<String>, body: Bytes) -> R {
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
struct Page {
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

async fn list_sas(State(world): State<Shared>, Path(id): Path<String>, Query(p): Query<Page>) -> R {
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

async fn delete_sa(State(world): State<Shared>, Path((id, sa)): Path<(String, String)>) -> R {
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

async fn create_token(State(world): State<Shared>, Path((id, sa)): Path<(String, String)>, body: Bytes) -> R {
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

async fn list_tokens(State(world): State<Shared>, Path((id, sa)): Path<(String, String)>, Query(p): Query<Page>) -> R {
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

async fn delete_token(State(world): State<Shared>, Path((id, sa, token)): Path<(String, String, String)>) -> R {
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

async fn create_api_key(State(world): State<Shared>, Path(id): Path<String>, body: Bytes) -> R {
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
    ok(StatusCode::OK, json!({ "keyName": name, "key": key, "workspaceId": id }))
}

async fn delete_api_key(State(world): State<Shared>, Path((id, name)): Path<(String, String)>) -> R {
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

async fn stats(State(world): State<Shared>) -> axum::Json<Value> {
    axum::Json(world.stats_json())
}
