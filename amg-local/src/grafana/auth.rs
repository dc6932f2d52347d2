//! Who is calling: bearer service-account tokens and API keys minted through the control plane,
//! with Grafana's 401 bodies; the caller's role and the guard every handler uses.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

use super::Ctx;
use super::envelope::{gerr, msg_trace};
use crate::world::{Credential, Role, now_epoch};

/// Who is calling: from the bearer token.
#[derive(Clone)]
pub(super) struct Caller {
    pub role: Role,
    pub login: String,
}

impl Caller {
    /// Grafana's handler-level refusal (`{"message": denied, "traceID": ""}`, 403) below `role`.
    pub fn require(&self, role: Role, denied: &str) -> Result<(), Response> {
        if self.role < role { Err(msg_trace(StatusCode::FORBIDDEN, denied)) } else { Ok(()) }
    }

    /// Grafana's RBAC middleware refusal (naming `permission`, 403) below `role`.
    pub fn require_permission(&self, role: Role, permission: &str) -> Result<(), Response> {
        if self.role < role { Err(rbac_denied(permission)) } else { Ok(()) }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Caller, Response> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(|| msg_trace(StatusCode::UNAUTHORIZED, "Unauthorized"))
    }
}

pub(super) async fn authenticate(State(ctx): State<Ctx>, mut req: Request, next: Next) -> Response {
    let Some(token) = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
    else {
        return gerr(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Unauthorized", "messageId": "auth.unauthorized", "statusCode": 401, "traceID": ""}),
        );
    };
    let invalid = || {
        gerr(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Invalid API key", "messageId": "api-key.invalid", "statusCode": 401, "traceID": ""}),
        )
    };
    let expired = || {
        gerr(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Expired API key", "messageId": "api-key.expired", "statusCode": 401, "traceID": ""}),
        )
    };
    let cred = ctx.world.credentials.lock().expect("lock").get(&token).cloned();
    let Ok(ws) = ctx.ws() else { return invalid() };
    let now = now_epoch();
    let caller = match cred {
        Some(Credential::Token { workspace, sa_id, token_id }) if workspace == ctx.ws_id => {
            let acc = ws.accounts.lock().expect("lock");
            match acc.service_accounts.get(&sa_id).and_then(|sa| sa.tokens.get(&token_id).map(|t| (sa, t))) {
                None => return invalid(),
                Some((_, t)) if t.expires <= now => return expired(),
                Some((sa, _)) => Caller { role: sa.role, login: sa.login.clone() },
            }
        }
        Some(Credential::ApiKey { workspace, name }) if workspace == ctx.ws_id => {
            let acc = ws.accounts.lock().expect("lock");
            match acc.api_keys.get(&name) {
                None => return invalid(),
                Some(k) if k.expires <= now => return expired(),
                Some(k) => Caller { role: k.role, login: format!("api-key-{name}") },
            }
        }
        _ => return invalid(),
    };
    req.extensions_mut().insert(caller);
    next.run(req).await
}

fn rbac_denied(permission: &str) -> Response {
    gerr(
        StatusCode::FORBIDDEN,
        json!({
            "title": "Access denied",
            "message": format!("You'll need additional permissions to perform this action. Permissions needed: {permission}"),
            "accessErrorId": "ACE0000000001"
        }),
    )
}
