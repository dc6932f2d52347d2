//! The AMG control plane (service `grafana`, restJson1): workspaces, their configuration,
//! authentication and tags, service accounts, tokens and API keys.
//!
//! Errors are shaped as the AWS SDKs parse them: `x-amzn-ErrorType` header plus a JSON body
//! with `message` (and `resourceId`/`resourceType` where the model has them). Requests without
//! a SigV4 `Authorization` header are refused as AWS refuses them; any credentials are accepted.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

use crate::world::Shared;
use crate::world::Workspace;

mod accounts;
mod local;
mod workspaces;

pub use workspaces::create_default_workspace;

use accounts::*;
use local::*;
use workspaces::*;

/// Opens a listener for a new workspace's Grafana API. The control plane asks for one when a
/// workspace is created; the transport layer (which serves it) implements this, so the control
/// plane never names listeners, TLS or faults.
pub trait Host: Send + Sync {
    /// Binds a loopback port; the returned function starts serving workspace `id` on it.
    fn bind(&self) -> Result<(std::net::SocketAddr, Serve), String>;
}

/// Starts serving a workspace (by id) on a listener [`Host::bind`] opened.
pub type Serve = Box<dyn FnOnce(String) + Send>;

/// What every control-plane handler may use.
#[derive(Clone)]
struct Ctl {
    world: Shared,
    host: Arc<dyn Host>,
}

impl axum::extract::FromRef<Ctl> for Shared {
    fn from_ref(c: &Ctl) -> Shared {
        c.world.clone()
    }
}

impl axum::extract::FromRef<Ctl> for Arc<dyn Host> {
    fn from_ref(c: &Ctl) -> Arc<dyn Host> {
        c.host.clone()
    }
}

pub fn router(world: Shared, host: Arc<dyn Host>) -> Router {
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
        .layer(axum::middleware::from_fn_with_state(world.clone(), require_sigv4))
        .route("/_amg-local/stats", get(stats))
        .route("/_amg-local/workspaces/{id}/expire-credentials", post(expire_credentials))
        .route("/_amg-local/issued-credentials", get(issued_credentials))
        .route("/_amg-local/workspaces/{id}/provisioned/datasources", post(provision_datasource))
        .route("/_amg-local/workspaces/{id}/provisioned/dashboards", post(provision_dashboard))
        .route("/_amg-local/workspaces/{id}/users", post(sign_in_user))
        .fallback(|| async { aws_error(StatusCode::NOT_FOUND, "UnknownOperationException", "Unknown operation", None) })
        .with_state(Ctl { world, host })
}

// ---- errors ----

pub(super) type R = Result<Response, Response>;

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

/// 429 `ThrottlingException` with `Retry-After: 1`, as AWS throttles.
pub fn throttled() -> Response {
    let mut r = aws_error(StatusCode::TOO_MANY_REQUESTS, "ThrottlingException", "Rate exceeded", None);
    r.headers_mut().insert("Retry-After", HeaderValue::from_static("1"));
    let body = json!({"message": "Rate exceeded", "serviceCode": "grafana", "quotaCode": "L-AMGLOCAL"});
    *r.body_mut() = axum::body::Body::from(body.to_string());
    r
}

/// 500 `InternalServerException` with `Retry-After: 1`.
pub fn internal_error() -> Response {
    let mut r = aws_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerException", "Internal server error", None);
    r.headers_mut().insert("Retry-After", HeaderValue::from_static("1"));
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

/// The IAM action of a control-plane request (`grafana:CreateWorkspaceServiceAccount`).
fn iam_action(method: &axum::http::Method, path: &str) -> String {
    let seg: Vec<&str> = path.trim_matches('/').split('/').collect();
    let m = method.as_str();
    let op = match (m, seg.as_slice()) {
        ("POST", ["workspaces"]) => "CreateWorkspace",
        ("GET", ["workspaces"]) => "ListWorkspaces",
        ("GET", ["workspaces", _]) => "DescribeWorkspace",
        ("PUT", ["workspaces", _]) => "UpdateWorkspace",
        ("DELETE", ["workspaces", _]) => "DeleteWorkspace",
        ("GET", ["workspaces", _, "configuration"]) => "DescribeWorkspaceConfiguration",
        ("PUT", ["workspaces", _, "configuration"]) => "UpdateWorkspaceConfiguration",
        ("GET", ["workspaces", _, "authentication"]) => "DescribeWorkspaceAuthentication",
        ("POST", ["workspaces", _, "authentication"]) => "UpdateWorkspaceAuthentication",
        ("GET", ["tags", ..]) => "ListTagsForResource",
        ("POST", ["tags", ..]) => "TagResource",
        ("DELETE", ["tags", ..]) => "UntagResource",
        ("POST", ["workspaces", _, "serviceaccounts"]) => "CreateWorkspaceServiceAccount",
        ("GET", ["workspaces", _, "serviceaccounts"]) => "ListWorkspaceServiceAccounts",
        ("DELETE", ["workspaces", _, "serviceaccounts", _]) => "DeleteWorkspaceServiceAccount",
        ("POST", ["workspaces", _, "serviceaccounts", _, "tokens"]) => "CreateWorkspaceServiceAccountToken",
        ("GET", ["workspaces", _, "serviceaccounts", _, "tokens"]) => "ListWorkspaceServiceAccountTokens",
        ("DELETE", ["workspaces", _, "serviceaccounts", _, "tokens", _]) => "DeleteWorkspaceServiceAccountToken",
        ("POST", ["workspaces", _, "apikeys"]) => "CreateWorkspaceApiKey",
        ("DELETE", ["workspaces", _, "apikeys", _]) => "DeleteWorkspaceApiKey",
        _ => "Unknown",
    };
    format!("grafana:{op}")
}

async fn require_sigv4(State(world): State<Shared>, req: Request, next: Next) -> Response {
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
        Some("throttle") => return throttled(),
        Some("internal") => return internal_error(),
        _ => {}
    }
    // `--deny`: an IAM policy without these actions, for every caller.
    let action = iam_action(req.method(), req.uri().path());
    if world.denied.contains(&action) {
        let resource =
            format!("arn:aws:grafana:{}:{}:{}", crate::world::REGION, crate::world::ACCOUNT, req.uri().path());
        let message = format!(
            "User: arn:aws:iam::{}:user/amg-local-caller is not authorized to perform: {action} on resource: {resource}",
            crate::world::ACCOUNT
        );
        return aws_error(StatusCode::FORBIDDEN, "AccessDeniedException", &message, None);
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
