//! The alerting notification policy tree: `/api/v1/provisioning/policies` (Grafana's
//! `api_provisioning.go`, `provisioning/notification_policies.go`).
//!
//! One tree per organisation, Grafana's default until a PUT replaces it: the root routes to the
//! default contact point `grafana-default-email`, grouped by folder and alert name. A PUT must
//! give the root a receiver, may only name receivers that exist and mute or active time
//! intervals that exist (`400 invalid object specification: …`), and sets the provenance
//! (`X-Disable-Provenance`: none); 12.4 refuses a change from `api` to none (403). DELETE
//! resets the tree to the default, provenance none. The GET answers `provenance` unless none.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use super::Ctx;
use super::alerting::{provenance_from, provenance_may_change};
use super::auth::Caller;
use super::envelope::{Body, R, msg_trace, ok};
use crate::world::{Profile, Role, Store};

/// The receiver of Grafana's default configuration, which always exists.
pub(crate) const DEFAULT_RECEIVER: &str = "grafana-default-email";

/// Grafana's default policy tree.
pub(crate) fn default_tree() -> Value {
    json!({"receiver": DEFAULT_RECEIVER, "group_by": ["grafana_folder", "alertname"]})
}

impl Store {
    /// The policy tree Grafana holds now.
    pub(crate) fn policy_tree(&self) -> Value {
        self.policies.as_ref().map(|(t, _)| t.clone()).unwrap_or_else(default_tree)
    }
}

pub(super) async fn get_policies(State(ctx): State<Ctx>, caller: Caller) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:read")?;
    let g = ws.grafana.lock().expect("lock");
    let mut tree = g.policy_tree();
    if let Some((_, p)) = &g.policies
        && !p.is_empty()
    {
        tree["provenance"] = json!(p);
    }
    ok(tree)
}

pub(super) async fn put_policies(State(ctx): State<Ctx>, caller: Caller, headers: HeaderMap, Body(b): Body) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:write")?;
    let mut tree = Value::Object(b);
    if let Some(o) = tree.as_object_mut() {
        o.remove("provenance");
    }
    let provenance = provenance_from(&headers);
    let mut g = ws.grafana.lock().expect("lock");
    let invalid = |why: String| msg_trace(StatusCode::BAD_REQUEST, &format!("invalid object specification: {why}"));
    if tree.get("receiver").and_then(Value::as_str).unwrap_or_default().is_empty() {
        return Err(invalid("root route must specify a default receiver".into()));
    }
    check_route(&tree, &g).map_err(invalid)?;
    if ws.profile == Profile::V12_4 {
        let current = g.policies.as_ref().map(|(_, p)| p.as_str()).unwrap_or("");
        provenance_may_change(current, provenance)?;
    }
    g.policies = Some((tree, provenance.to_string()));
    Ok((StatusCode::ACCEPTED, axum::Json(json!({"message": "policies updated"}))).into_response())
}

pub(super) async fn reset_policies(State(ctx): State<Ctx>, caller: Caller) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:write")?;
    ws.grafana.lock().expect("lock").policies = None;
    Ok((StatusCode::ACCEPTED, axum::Json(json!({"message": "policies resetted"}))).into_response())
}

/// Receivers and time intervals a route and its children name must exist.
fn check_route(route: &Value, g: &Store) -> Result<(), String> {
    if let Some(r) = route.get("receiver").and_then(Value::as_str).filter(|r| !r.is_empty())
        && r != DEFAULT_RECEIVER
    {
        return Err(format!("receiver '{r}' does not exist"));
    }
    for field in ["mute_time_intervals", "active_time_intervals"] {
        for name in route.get(field).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            if !g.mute_timings.iter().any(|m| m.name == name) {
                return Err(format!("mute time interval '{name}' does not exist"));
            }
        }
    }
    route.get("routes").and_then(Value::as_array).into_iter().flatten().try_for_each(|r| check_route(r, g))
}

/// Whether a route or any route under it names the time interval `name`.
pub(crate) fn uses_time_interval(route: &Value, name: &str) -> bool {
    let names = |f: &str| route.get(f).and_then(Value::as_array).into_iter().flatten().any(|n| n == name);
    names("mute_time_intervals")
        || names("active_time_intervals")
        || route.get("routes").and_then(Value::as_array).into_iter().flatten().any(|r| uses_time_interval(r, name))
}
