//! The alerting notification policy tree: `/api/v1/provisioning/policies` (Grafana's
//! `api_provisioning.go`, `provisioning/notification_policies.go`).
//!
//! One tree per organisation, Grafana's default until a PUT replaces it: the root routes to the
//! default contact point `grafana-default-email`, grouped by folder and alert name. A PUT must
//! give the root a receiver, may only name receivers that exist and mute or active time
//! intervals that exist (`400 invalid object specification: …`); 10.4 drops active time
//! intervals, which it does not know (12.1 and later); a PUT sets the provenance
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

pub(crate) use crate::world::DEFAULT_RECEIVER;

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
    let provenance = provenance_from(&headers);
    let invalid = |why: String| msg_trace(StatusCode::BAD_REQUEST, &format!("invalid object specification: {why}"));
    let mut tree = stored_route(&Value::Object(b)).map_err(invalid)?;
    if ws.profile == Profile::V10_4 {
        // A field Grafana 10.4 does not know (active time intervals came in 12.1): dropped.
        drop_field(&mut tree, "active_time_intervals");
    }
    let mut g = ws.grafana.lock().expect("lock");
    if tree.get("receiver").and_then(Value::as_str).unwrap_or_default().is_empty() {
        return Err(invalid("root route must specify a default receiver".into()));
    }
    if tree.get("object_matchers").is_some() {
        return Err(invalid("root route must not have any matchers".into()));
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
        && !super::contact_points::exists(g, r)
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

/// A route as Grafana stores and answers it (Alertmanager's `Route` through JSON): fields it
/// knows, empty ones left out, durations in Prometheus's shortest form, matchers checked.
fn stored_route(route: &Value) -> Result<Value, String> {
    let o = route.as_object().ok_or("a route is an object")?;
    let mut out = serde_json::Map::new();
    for (k, v) in o {
        let kept = match (k.as_str(), v) {
            (_, Value::Null) => None,
            ("receiver", Value::String(s)) => (!s.is_empty()).then(|| v.clone()),
            ("continue", Value::Bool(b)) => b.then(|| v.clone()),
            ("group_wait" | "group_interval" | "repeat_interval", Value::String(d)) if d.is_empty() => None,
            ("group_wait" | "group_interval" | "repeat_interval", Value::String(d)) => {
                let ms = duration_ms(d).map_err(|e| format!("{k}: {e}"))?;
                if ms == 0 && k != "group_wait" {
                    return Err(format!("{k} cannot be zero"));
                }
                Some(json!(duration_string(ms)))
            }
            ("group_by", Value::Array(xs)) => {
                let labels: Vec<&str> = xs.iter().filter_map(Value::as_str).collect();
                if labels.contains(&"...") && labels.len() > 1 {
                    return Err("cannot have wildcard group_by (`...`) and other other labels at the same time".into());
                }
                let mut seen = std::collections::BTreeSet::new();
                if let Some(dup) = labels.iter().find(|l| !seen.insert(**l)) {
                    return Err(format!("duplicated label {dup:?} in group_by"));
                }
                (!xs.is_empty()).then(|| v.clone())
            }
            ("mute_time_intervals" | "active_time_intervals", Value::Array(xs)) => (!xs.is_empty()).then(|| v.clone()),
            ("object_matchers", Value::Array(ms)) => {
                for m in ms {
                    check_matcher(m)?;
                }
                (!ms.is_empty()).then(|| v.clone())
            }
            ("routes", Value::Array(rs)) => {
                let rs = rs.iter().map(stored_route).collect::<Result<Vec<_>, _>>()?;
                (!rs.is_empty()).then(|| Value::Array(rs))
            }
            ("receiver" | "continue" | "group_by" | "mute_time_intervals" | "active_time_intervals", _) => {
                return Err(format!("{k} has the wrong type"));
            }
            _ => None,
        };
        if let Some(v) = kept {
            out.insert(k.clone(), v);
        }
    }
    Ok(Value::Object(out))
}

/// An object matcher `[label, type, value]` with a type Alertmanager knows.
fn check_matcher(m: &Value) -> Result<(), String> {
    match m.as_array().map(Vec::as_slice) {
        Some([Value::String(_), Value::String(op), Value::String(_)])
            if ["=", "!=", "=~", "!~"].contains(&op.as_str()) =>
        {
            Ok(())
        }
        Some([_, Value::String(op), _]) => Err(format!("unknown match type {op:?}")),
        _ => Err("a matcher is [label, type, value]".into()),
    }
}

/// Prometheus's duration units, largest first, in milliseconds.
const UNITS: [(&str, u64); 7] = [
    ("y", 31_536_000_000),
    ("w", 604_800_000),
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1000),
    ("ms", 1),
];

/// A Prometheus duration (`1h30m`, `90s`, `1w`, …) in milliseconds (`model.ParseDuration`).
pub(crate) fn duration_ms(text: &str) -> Result<u64, String> {
    if text.is_empty() {
        return Err("empty duration string".into());
    }
    if text == "0" {
        return Ok(0);
    }
    let bad = || format!("not a valid duration string: {text:?}");
    let (mut rest, mut total, mut next) = (text, 0u64, 0);
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        // Units in order, each at most once; `ms` before `m`.
        let at = UNITS[next..].iter().position(|(u, _)| rest.starts_with(u) && !(*u == "m" && rest.starts_with("ms")));
        let Some(at) = at else { return Err(bad()) };
        let (unit, scale) = UNITS[next + at];
        total = n.checked_mul(scale).and_then(|x| total.checked_add(x)).ok_or_else(bad)?;
        rest = &rest[unit.len()..];
        next += at + 1;
    }
    Ok(total)
}

/// Milliseconds as Prometheus writes a duration (`model.Duration.String`): `0s`, else each
/// non-zero unit from years down, `5m`, `1h30m`, `1d`.
pub(crate) fn duration_string(ms: u64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut left = ms;
    for (unit, scale) in UNITS {
        if left >= scale {
            out.push_str(&format!("{}{unit}", left / scale));
            left %= scale;
        }
    }
    out
}

fn drop_field(route: &mut Value, field: &str) {
    if let Some(o) = route.as_object_mut() {
        o.remove(field);
        o.get_mut("routes").and_then(Value::as_array_mut).into_iter().flatten().for_each(|r| drop_field(r, field));
    }
}

/// Whether a route or any route under it names the time interval `name`.
pub(crate) fn uses_time_interval(route: &Value, name: &str) -> bool {
    let names = |f: &str| route.get(f).and_then(Value::as_array).into_iter().flatten().any(|n| n == name);
    names("mute_time_intervals")
        || names("active_time_intervals")
        || route.get("routes").and_then(Value::as_array).into_iter().flatten().any(|r| uses_time_interval(r, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_and_write_as_prometheus_does() {
        for (text, ms, back) in [
            ("30s", 30_000, "30s"),
            ("300s", 300_000, "5m"),
            ("90m", 5_400_000, "1h30m"),
            ("1d", 86_400_000, "1d"),
            ("168h", 604_800_000, "1w"),
            ("1h0m", 3_600_000, "1h"),
            ("1500ms", 1500, "1s500ms"),
            ("0", 0, "0s"),
        ] {
            assert_eq!(duration_ms(text), Ok(ms), "{text}");
            assert_eq!(duration_string(ms), back, "{text}");
        }
        for bad in ["", "5", "m", "5x", "1m1h", "1s1s", "-5m", "1.5h"] {
            assert!(duration_ms(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn routes_are_stored_as_grafana_answers_them() {
        let given = json!({"receiver": "r", "group_by": [], "continue": false, "group_wait": "300s", "match": {"a": "b"},
            "routes": [{"object_matchers": [["a", "=~", "b.*"]], "continue": true, "mute_time_intervals": [],
                        "repeat_interval": "3h", "routes": []}]});
        let want = json!({"receiver": "r", "group_wait": "5m",
            "routes": [{"object_matchers": [["a", "=~", "b.*"]], "continue": true, "repeat_interval": "3h"}]});
        assert_eq!(stored_route(&given), Ok(want));
        for bad in [
            json!({"group_by": ["...", "a"]}),
            json!({"group_by": ["a", "a"]}),
            json!({"group_interval": "0s"}),
            json!({"routes": [{"object_matchers": [["a", "==", "b"]]}]}),
            json!({"repeat_interval": "soon"}),
        ] {
            assert!(stored_route(&bad).is_err(), "{bad}");
        }
    }
}
