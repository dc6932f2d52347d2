//! A receiver block ↔ Grafana's integration settings, driven by the notifier table. Grafana
//! never answers a secret back (it says `[REDACTED]`, or leaves the key out): the state keeps
//! the configured value. Settings no attribute names stay in the block's `settings` map, as
//! the official provider keeps them.
//!
//! SNS on Grafana 10.4 and later (AMG's versions) is written in Grafana's own shape
//! (`topic_arn`, `sigv4 {region, access_key, secret_key, role_arn, external_id}`, `subject`,
//! `message`): Grafana refuses the old AMG plugin keys the official provider sends ("must specify
//! topicArn, targetArn, or phone number"). A topic with no keys and no role is published to with
//! the workspace's IAM role.

use serde_json::{Map, Value as Json, json};

use super::notifiers::{DISABLE_RESOLVE_MESSAGE, Default, Field, Kind, Notifier, RESPONDER, SETTINGS, TLS, UID};
use crate::value::Value;

/// What Grafana answers in place of a secret.
pub const REDACTED: &str = "[REDACTED]";

/// Grafana's settings for a configured receiver block.
pub fn to_settings(n: &Notifier, block: &Value, sns_in_grafanas_shape: bool) -> Map<String, Json> {
    let mut out = Map::new();
    if let Value::Map(extra) = block.get(SETTINGS) {
        for (k, v) in extra {
            if let Some(s) = v.as_str().filter(|s| !s.is_empty()) {
                out.insert(k.clone(), json!(s));
            }
        }
    }
    for f in n.fields {
        if let Some(v) = setting(f, block.get(f.name)) {
            out.insert(f.key.to_string(), v);
        }
    }
    if n.kind == "sns" && sns_in_grafanas_shape {
        out = sns_to_grafana(out);
    }
    out
}

/// The receiver block for what Grafana holds; `prior` is the block of the same uid in the
/// plan or state, whose secrets and words are kept.
pub fn to_block(
    n: &Notifier,
    uid: &str,
    disable_resolve_message: bool,
    settings: &Map<String, Json>,
    prior: Option<&Value>,
) -> Value {
    let mut left = settings.clone();
    if n.kind == "sns" && left.contains_key("topic_arn") {
        left = sns_from_grafana(left);
    }
    let mut attrs = vec![
        (UID.to_string(), Value::string(uid)),
        (DISABLE_RESOLVE_MESSAGE.to_string(), Value::Bool(disable_resolve_message)),
    ];
    for f in n.fields {
        let held = left.remove(f.key);
        let mine = prior.map(|p| p.get(f.name).clone()).unwrap_or(Value::Null);
        let v = if f.secret || f.kind == Kind::Tls {
            // Never answered back: what was configured.
            if mine.is_null() { default_of(f) } else { mine }
        } else {
            match held.as_ref().and_then(|h| attribute(f, h)) {
                Some(v) if same(&v, &mine) => mine,
                Some(v) => v,
                // Grafana 10.4+'s SNS settings have no place for these: what was configured.
                None if n.kind == "sns" && (f.name == "auth_provider" || f.name == "message_format") => {
                    if mine.is_null() { default_of(f) } else { mine }
                }
                // Unset in Grafana: the prior words if they say unset too (the official
                // provider's state has `""`, `false` and `0` for what nobody set).
                None if f.default == Default::None && zero(&mine) => mine,
                None => default_of(f),
            }
        };
        attrs.push((f.name.to_string(), v));
    }
    let extra = left
        .into_iter()
        .filter(|(_, v)| v.as_str() != Some(REDACTED))
        .map(|(k, v)| (k, Value::string(v.as_str().map_or_else(|| v.to_string(), str::to_string))))
        .collect();
    attrs.push((SETTINGS.to_string(), Value::Map(extra)));
    Value::object(attrs)
}

/// A field's configured value as Grafana keeps it; `None` when it sends nothing (unset, or
/// empty text: the official provider treats settings as `omitempty`).
fn setting(f: &Field, v: &Value) -> Option<Json> {
    match (f.kind, v) {
        (_, Value::Null | Value::Unknown(_)) => None,
        (Kind::Str, Value::String(s)) => (!s.is_empty()).then(|| json!(s)),
        (Kind::Bool, Value::Bool(b)) => Some(json!(b)),
        (Kind::Int, v) => v.as_i64().map(|i| json!(i)),
        (Kind::IntText, v) => v.as_i64().map(|i| json!(i.to_string())),
        (Kind::Addresses, Value::List(xs)) => {
            let joined: Vec<&str> = xs.iter().filter_map(Value::as_str).collect();
            (!joined.is_empty()).then(|| json!(joined.join(";")))
        }
        (Kind::Map, Value::Map(m)) => {
            let m: Map<String, Json> =
                m.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), json!(s)))).collect();
            (!m.is_empty()).then_some(Json::Object(m))
        }
        (Kind::Responders, Value::List(xs)) => {
            let items: Vec<Json> = xs.iter().map(|r| nested(r, RESPONDER)).collect();
            (!items.is_empty()).then_some(Json::Array(items))
        }
        (Kind::Tls, Value::Set(xs) | Value::List(xs)) => xs.first().map(|t| {
            let mut o = nested(t, TLS);
            if let Some(skip) = t.get("insecure_skip_verify").as_bool() {
                o["insecureSkipVerify"] = json!(skip);
            }
            o
        }),
        _ => None,
    }
}

/// A nested block's non-empty texts under their Grafana keys.
fn nested(v: &Value, fields: &[(&str, &str, bool, &str)]) -> Json {
    let o: Map<String, Json> = fields
        .iter()
        .filter_map(|(name, key, _, _)| {
            v.get(name).as_str().filter(|s| !s.is_empty()).map(|s| (key.to_string(), json!(s)))
        })
        .collect();
    Json::Object(o)
}

/// The attribute value for what Grafana holds under the field's key.
fn attribute(f: &Field, held: &Json) -> Option<Value> {
    Some(match f.kind {
        Kind::Str => Value::string(held.as_str().map_or_else(|| held.to_string(), str::to_string)),
        Kind::Bool => Value::Bool(held.as_bool().or_else(|| held.as_str().map(|s| s == "true"))?),
        Kind::Int | Kind::IntText => Value::int(held.as_i64().or_else(|| held.as_str()?.trim().parse().ok())?),
        Kind::Addresses => Value::List(
            held.as_str()?
                .split([',', ';', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Value::string)
                .collect(),
        ),
        Kind::Map => Value::Map(
            held.as_object()?
                .iter()
                .map(|(k, v)| (k.clone(), Value::string(v.as_str().map_or_else(|| v.to_string(), str::to_string))))
                .collect(),
        ),
        Kind::Responders => Value::List(
            held.as_array()?
                .iter()
                .map(|r| {
                    Value::object(RESPONDER.iter().map(|(name, key, _, _)| {
                        (*name, r.get(*key).and_then(Json::as_str).map_or(Value::Null, Value::string))
                    }))
                })
                .collect(),
        ),
        Kind::Tls => return None,
    })
}

/// Whether Grafana's value means what the prior one says: equal, or both unset.
fn same(held: &Value, mine: &Value) -> bool {
    held == mine || (zero(held) && zero(mine))
}

/// Whether a value says "unset": null, `false`, `0`, `""` or empty, as SDKv2 writes what nobody set.
pub fn zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::List(xs) | Value::Set(xs) => xs.is_empty(),
        Value::Map(m) => m.is_empty(),
        v => v.as_i64() == Some(0),
    }
}

/// Whether two receiver blocks mean the same, their uids aside.
pub fn same_meaning(n: &Notifier, a: &Value, b: &Value) -> bool {
    let fields = n.fields.iter().map(|f| f.name).chain([DISABLE_RESOLVE_MESSAGE, SETTINGS]);
    fields.into_iter().all(|name| same(a.get(name), b.get(name)))
}

fn default_of(f: &Field) -> Value {
    match f.default {
        Default::None => match f.kind {
            Kind::Responders => Value::List(Vec::new()),
            Kind::Tls => Value::Set(Vec::new()),
            _ => Value::Null,
        },
        Default::Str(s) => Value::string(s),
        Default::Bool(b) => Value::Bool(b),
        Default::Int(i) => Value::int(i),
    }
}

/// The region of an SNS topic ARN, `arn:aws:sns:<region>:<account>:<name>`.
pub fn topic_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

/// The official provider's SNS credential keys, and Grafana 10.4+'s in its `sigv4` block.
const SIGV4: [(&str, &str); 4] = [
    ("accessKey", "access_key"),
    ("secretKey", "secret_key"),
    ("assumeRoleARN", "role_arn"),
    ("externalId", "external_id"),
];

/// The official provider's SNS keys in Grafana 10.4+'s shape.
fn sns_to_grafana(mut old: Map<String, Json>) -> Map<String, Json> {
    let mut out = Map::new();
    let topic = old.remove("topic").and_then(|t| t.as_str().map(str::to_string)).unwrap_or_default();
    let mut sigv4 = Map::new();
    if let Some(region) = topic_region(&topic) {
        sigv4.insert("region".into(), json!(region));
    }
    for (from, to) in SIGV4 {
        if let Some(v) = old.remove(from) {
            sigv4.insert(to.into(), v);
        }
    }
    out.insert("topic_arn".into(), json!(topic));
    out.insert("sigv4".into(), Json::Object(sigv4));
    if let Some(s) = old.remove("subject") {
        out.insert("subject".into(), s);
    }
    if let Some(b) = old.remove("body") {
        out.insert("message".into(), b);
    }
    old.remove("authProvider");
    old.remove("messageFormat");
    out.extend(old);
    out
}

/// Grafana 10.4+'s SNS settings under the official provider's keys.
fn sns_from_grafana(mut held: Map<String, Json>) -> Map<String, Json> {
    let mut out = Map::new();
    if let Some(t) = held.remove("topic_arn") {
        out.insert("topic".into(), t);
    }
    if let Some(Json::Object(mut sigv4)) = held.remove("sigv4") {
        sigv4.remove("region");
        for (to, from) in SIGV4 {
            if let Some(v) = sigv4.remove(from) {
                out.insert(to.into(), v);
            }
        }
        if !sigv4.is_empty() {
            out.insert("sigv4".into(), Json::Object(sigv4));
        }
    }
    if let Some(m) = held.remove("message") {
        out.insert("body".into(), m);
    }
    out.extend(held);
    out
}
