//! Grafana's contact point integrations as this provider's receiver blocks, for this project's
//! other tools (`operator2tf`): the one notifier table (`resources::contact_point::notifiers`)
//! answers, so a converted configuration names each setting as the provider does.

use serde_json::{Map, Value as Json};

use crate::resources::contact_point::{notifiers, settings};
use crate::value::{Number, Value};

/// A receiver block: its type (`email`, `slack`, …) and attributes, with Grafana's settings
/// that no attribute names in `settings`.
#[derive(Debug, PartialEq)]
pub struct Receiver {
    pub block: &'static str,
    pub attributes: Vec<(&'static str, Json)>,
    /// The attributes that hold secrets (sensitive in the schema; Grafana never answers them).
    pub secrets: Vec<&'static str>,
}

/// The block for an integration of `kind` with Grafana's `settings`; `None` for a type the
/// provider has no block for. Attributes that say nothing (unset, empty) are left out.
pub fn receiver(kind: &str, settings: &Map<String, Json>, disable_resolve_message: bool) -> Option<Receiver> {
    let n = notifiers::by_kind(kind)?;
    let block = settings::to_block(n, "", disable_resolve_message, settings, None);
    let Value::Object(attrs) = block else { return None };
    let mut attributes = Vec::new();
    let names = n.fields.iter().map(|f| f.name).chain([notifiers::DISABLE_RESOLVE_MESSAGE, notifiers::SETTINGS]);
    for name in names {
        let v = attrs.get(name).map(json).unwrap_or(Json::Null);
        let empty = match &v {
            Json::Null => true,
            Json::String(s) => s.is_empty(),
            Json::Bool(b) => !b,
            Json::Array(a) => a.is_empty(),
            Json::Object(o) => o.is_empty(),
            Json::Number(_) => false,
        };
        if !empty {
            attributes.push((name, v));
        }
    }
    // A secret's value is never in what Grafana answers, only in what was sent: take it from there.
    let mut secrets = Vec::new();
    for f in n.fields.iter().filter(|f| f.secret) {
        secrets.push(f.name);
        if let Some(Json::String(s)) = settings.get(f.key).filter(|v| v.as_str().is_some_and(|s| !s.is_empty())) {
            attributes.retain(|(k, _)| *k != f.name);
            attributes.push((f.name, Json::String(s.clone())));
        }
    }
    Some(Receiver { block: n.block, attributes, secrets })
}

fn json(v: &Value) -> Json {
    match v {
        Value::Null | Value::Unknown(_) => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(Number::Int(i)) => Json::from(*i),
        Value::Number(Number::Float(f)) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Number(Number::Big(s)) => Json::String(s.clone()),
        Value::String(s) => Json::String(s.clone()),
        Value::List(xs) | Value::Set(xs) => Json::Array(xs.iter().map(json).collect()),
        Value::Map(m) | Value::Object(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn grafana_settings_become_the_providers_attributes_with_the_rest_in_settings() {
        let s = json!({"addresses": "a@example.com;b@example.com", "singleEmail": true, "custom": "x"});
        let r = receiver("email", s.as_object().unwrap(), false).expect("email");
        assert_eq!(r.block, "email");
        assert_eq!(
            r.attributes,
            vec![
                ("addresses", json!(["a@example.com", "b@example.com"])),
                ("single_email", json!(true)),
                ("settings", json!({"custom": "x"})),
            ]
        );
        let s = json!({"url": "https://hooks.slack.com/x", "recipient": "#alerts"});
        let r = receiver("slack", s.as_object().unwrap(), true).expect("slack");
        assert!(r.secrets.contains(&"url") && r.attributes.contains(&("url", json!("https://hooks.slack.com/x"))));
        assert!(r.attributes.contains(&("disable_resolve_message", json!(true))));
        assert!(receiver("no-such-kind", &Map::new(), false).is_none());
    }
}
