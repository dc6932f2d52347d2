//! Alerting contact points: `/api/v1/provisioning/contact-points` (Grafana's
//! `api_provisioning.go` and `provisioning/contactpoints.go`). Each integration is one object
//! with a uid; a contact point is the integrations that share a name. The default
//! configuration's `grafana-default-email` (an email integration, provenance none) always
//! exists until deleted.
//!
//! A write is checked as Grafana's `EmbeddedContactPoint.Valid` checks it, through each
//! integration type's own config parsing: a known `type`, a `name`, and the settings the type
//! needs. Refusals are `400 {"message": "invalid object specification: …"}`; SNS's and email's
//! words are Grafana's (`must specify topicArn, targetArn, or phone number`: Grafana 10.4+ reads
//! `topic_arn`, `target_arn` or `phone_number`, and refuses the old AMG plugin keys), the
//! others name the missing setting. Secrets are answered `[REDACTED]`. `X-Disable-Provenance`
//! makes the provenance none. Deleting the last integration of a contact point a notification
//! policy names is refused with 409.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::Ctx;
use super::alerting::provenance_from;
use super::auth::Caller;
use super::envelope::{Body, R, msg, ok};
use super::policies::{DEFAULT_RECEIVER, default_tree};
use crate::world::{Integration, Role, Store};

/// The settings each type keeps secret (answered `[REDACTED]`).
fn secrets(kind: &str) -> &'static [&'static str] {
    match kind {
        "prometheus-alertmanager" => &["basicAuthPassword"],
        "discord" | "googlechat" | "teams" => &["url"],
        "kafka" => &["kafkaRestProxy", "password"],
        "LINE" => &["token"],
        "mqtt" => &["password"],
        "oncall" | "webhook" => &["password", "authorization_credentials"],
        "opsgenie" => &["apiKey"],
        "pagerduty" => &["integrationKey"],
        "pushover" => &["userKey", "apiToken"],
        "sensugo" => &["apikey"],
        "slack" => &["url", "token"],
        "telegram" => &["bottoken"],
        "threema" => &["api_secret"],
        "webex" => &["bot_token"],
        "wecom" => &["url", "secret"],
        _ => &[],
    }
}

/// Why Grafana would refuse these settings for the type, if it would.
fn invalid(kind: &str, s: &Map<String, Value>) -> Option<String> {
    let has = |k: &str| s.get(k).is_some_and(|v| !v.is_null() && v.as_str() != Some(""));
    let need = |keys: &[&str], what: &str| {
        (!keys.iter().any(|k| has(k))).then(|| format!("could not find {what} in settings"))
    };
    match kind {
        "email" => need(&["addresses"], "addresses"),
        "sns" => (!has("topic_arn") && !has("target_arn") && !has("phone_number"))
            .then(|| "must specify topicArn, targetArn, or phone number".to_string()),
        "slack" => {
            (!has("url") && !has("token")).then(|| "token must be specified when using the Slack chat API".into())
        }
        "prometheus-alertmanager"
        | "dingding"
        | "discord"
        | "googlechat"
        | "oncall"
        | "sensugo"
        | "teams"
        | "victorops"
        | "webhook" => need(&["url"], "url property"),
        "kafka" => need(&["kafkaRestProxy"], "kafka rest proxy endpoint property")
            .or_else(|| need(&["kafkaTopic"], "kafka topic property")),
        "LINE" => need(&["token"], "token"),
        "mqtt" => need(&["brokerUrl"], "MQTT broker URL").or_else(|| need(&["topic"], "MQTT topic")),
        "opsgenie" => need(&["apiKey"], "api key property"),
        "pagerduty" => need(&["integrationKey"], "integration key property"),
        "pushover" => need(&["userKey"], "user key").or_else(|| need(&["apiToken"], "API token")),
        "telegram" => need(&["bottoken"], "Bot Token").or_else(|| need(&["chatid"], "Chat Id")),
        "threema" => need(&["gateway_id"], "Threema Gateway ID")
            .or_else(|| need(&["recipient_id"], "Threema Recipient ID"))
            .or_else(|| need(&["api_secret"], "Threema API secret")),
        "webex" | "wecom" => None,
        other => Some(format!("unknown type '{other}'")),
    }
}

fn refused(why: &str) -> Response {
    msg(StatusCode::BAD_REQUEST, &format!("invalid object specification: {why}"))
}

/// The contact points, Grafana's default one first until it is deleted.
fn all(g: &mut Store) -> &mut Vec<Integration> {
    g.contact_points.get_or_insert_with(|| {
        let mut settings = Map::new();
        settings.insert("addresses".into(), json!("<example@email.com>"));
        vec![Integration {
            uid: "default-email".into(),
            name: DEFAULT_RECEIVER.into(),
            kind: "email".into(),
            settings,
            disable_resolve_message: false,
            provenance: String::new(),
        }]
    })
}

/// Whether a contact point of this name exists (a notification policy may name it).
pub(super) fn exists(g: &Store, name: &str) -> bool {
    g.contact_points.as_ref().map_or(name == DEFAULT_RECEIVER, |all| all.iter().any(|i| i.name == name))
}

fn answer(i: &Integration) -> Value {
    let mut settings = i.settings.clone();
    for k in secrets(&i.kind) {
        if settings.contains_key(*k) {
            settings.insert((*k).into(), json!("[REDACTED]"));
        }
    }
    if i.kind == "sns"
        && let Some(Value::Object(sigv4)) = settings.get_mut("sigv4")
    {
        for k in ["access_key", "secret_key"] {
            if sigv4.contains_key(k) {
                sigv4.insert(k.into(), json!("[REDACTED]"));
            }
        }
    }
    json!({"uid": i.uid, "name": i.name, "type": i.kind, "settings": settings,
        "disableResolveMessage": i.disable_resolve_message, "provenance": i.provenance})
}

pub(super) async fn list_contact_points(State(ctx): State<Ctx>, caller: Caller, RawQuery(q): RawQuery) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Editor, "alert.provisioning:read")?;
    let mut g = ws.grafana.lock().expect("lock");
    let q = super::query_pairs(q.as_deref());
    let name = super::first(&q, "name").filter(|n| !n.is_empty());
    let out: Vec<Value> = all(&mut g).iter().filter(|i| name.is_none_or(|n| i.name == n)).map(answer).collect();
    ok(Value::Array(out))
}

/// An integration from a request body, checked.
fn integration(b: &Map<String, Value>, uid: String, provenance: &str) -> Result<Integration, Response> {
    let name = b.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let kind = b.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
    let settings = b.get("settings").and_then(Value::as_object).cloned();
    if kind.is_empty() {
        return Err(refused("type should not be an empty string"));
    }
    let Some(settings) = settings else { return Err(refused("settings should not be empty")) };
    if name.is_empty() {
        return Err(refused("name should not be empty"));
    }
    if let Some(why) = invalid(&kind, &settings) {
        return Err(refused(&why));
    }
    let disable_resolve_message = b.get("disableResolveMessage").and_then(Value::as_bool).unwrap_or(false);
    Ok(Integration { uid, name, kind, settings, disable_resolve_message, provenance: provenance.into() })
}

pub(super) async fn create_contact_point(
    State(ctx): State<Ctx>,
    caller: Caller,
    headers: HeaderMap,
    Body(b): Body,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Editor, "alert.provisioning:write")?;
    let uid = b
        .get("uid")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .map_or_else(|| ctx.world.new_uid(), str::to_string);
    let i = integration(&b, uid, provenance_from(&headers))?;
    let mut g = ws.grafana.lock().expect("lock");
    if all(&mut g).iter().any(|x| x.uid == i.uid) {
        return Err(refused(&format!("contact point with uid '{}' already exists", i.uid)));
    }
    let out = answer(&i);
    all(&mut g).push(i);
    Ok((StatusCode::ACCEPTED, axum::Json(out)).into_response())
}

pub(super) async fn update_contact_point(
    State(ctx): State<Ctx>,
    caller: Caller,
    headers: HeaderMap,
    Path(uid): Path<String>,
    Body(b): Body,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Editor, "alert.provisioning:write")?;
    let mut g = ws.grafana.lock().expect("lock");
    let Some(at) = all(&mut g).iter().position(|x| x.uid == uid) else {
        return Err(msg(StatusCode::NOT_FOUND, "contact point not found"));
    };
    let mut i = integration(&b, uid, provenance_from(&headers))?;
    // A secret sent back as Grafana answered it keeps the one Grafana holds.
    let held = all(&mut g)[at].settings.clone();
    for (k, v) in i.settings.iter_mut() {
        if v.as_str() == Some("[REDACTED]")
            && let Some(old) = held.get(k)
        {
            *v = old.clone();
        }
    }
    all(&mut g)[at] = i;
    Ok((StatusCode::ACCEPTED, axum::Json(json!({"message": "contactpoint updated"}))).into_response())
}

pub(super) async fn delete_contact_point(State(ctx): State<Ctx>, caller: Caller, Path(uid): Path<String>) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Editor, "alert.provisioning:write")?;
    let mut g = ws.grafana.lock().expect("lock");
    let tree = g.policies.as_ref().map_or_else(default_tree, |(t, _)| t.clone());
    let points = all(&mut g);
    if let Some(at) = points.iter().position(|x| x.uid == uid) {
        let name = points[at].name.clone();
        let last = points.iter().filter(|x| x.name == name).count() == 1;
        if last && names_receiver(&tree, &name) {
            return Err(msg(
                StatusCode::CONFLICT,
                &format!("contact point '{name}' is currently used by a notification policy"),
            ));
        }
        points.remove(at);
    }
    Ok((StatusCode::ACCEPTED, axum::Json(json!({"message": "contactpoint deleted"}))).into_response())
}

/// Whether a route or any route under it sends to `name`.
fn names_receiver(route: &Value, name: &str) -> bool {
    route.get("receiver").and_then(Value::as_str) == Some(name)
        || route.get("routes").and_then(Value::as_array).into_iter().flatten().any(|r| names_receiver(r, name))
}
