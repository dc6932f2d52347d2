//! The dashboard JSON model, by Grafana's rules, knowing nothing of Terraform: parse and
//! validate a model, the inputs an export declares (`__inputs`) and filling them, what is
//! uploaded, and the canonical form two models are compared in. Used by the `grafana_dashboard`
//! resource and its lookups.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use crate::grafana::{MAX_DASHBOARD_TITLE, check_uid};

mod head;

pub use head::check;

/// A dashboard's JSON model: an object.
pub type Model = Map<String, Json>;

/// Why a model (or the inputs given for it) would be refused, in words for the user.
#[derive(Clone, Debug, PartialEq)]
pub struct Invalid {
    pub summary: &'static str,
    pub detail: String,
    /// What is wrong: the model itself, or the inputs given for it.
    pub about: About,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum About {
    Model,
    Inputs,
}

fn invalid(summary: &'static str, detail: impl Into<String>) -> Invalid {
    Invalid { summary, detail: detail.into(), about: About::Model }
}

/// Parses a model, checking what Grafana would refuse: not an object, a blank or missing
/// title, a malformed uid.
pub fn parse(text: &str) -> Result<Model, Invalid> {
    let v: Json = serde_json::from_str(text).map_err(not_json)?;
    let Json::Object(m) = v else { return Err(not_an_object()) };
    check_fields(m.get("title"), m.get("uid"))?;
    Ok(m)
}

fn not_json(e: serde_json::Error) -> Invalid {
    invalid(
        "config_json is not valid JSON",
        format!("{e}. Paste the dashboard's JSON model, or build it with jsonencode()."),
    )
}

fn not_an_object() -> Invalid {
    invalid(
        "config_json is not a JSON object",
        "A dashboard's JSON model is an object, `{ \"title\": …, \"panels\": [ … ] }`.",
    )
}

fn check_fields(title: Option<&Json>, uid: Option<&Json>) -> Result<(), Invalid> {
    match title {
        Some(Json::String(t)) => {
            if let Some(why) = crate::diag::too_long("The `title` in config_json", t, MAX_DASHBOARD_TITLE) {
                return Err(invalid("Dashboard title too long", why));
            }
            if t.trim().is_empty() {
                return Err(invalid("Dashboard title is blank", "Set `title` in config_json to a non-blank name."));
            }
        }
        _ => return Err(invalid("Dashboard title missing", "config_json needs a string `title`.")),
    }
    match uid {
        None | Some(Json::Null) => Ok(()),
        Some(Json::String(u)) if u.is_empty() => Ok(()),
        Some(Json::String(u)) => check_uid(u).map_err(|e| {
            invalid(
                "Invalid dashboard uid",
                format!("The `uid` in config_json {e}. Fix it, or remove it to let the provider choose one."),
            )
        }),
        Some(other) => Err(invalid(
            "Invalid dashboard uid",
            format!("The `uid` in config_json must be a string, not {}.", crate::diag::quote(&other.to_string())),
        )),
    }
}

/// The uid the model sets (null, missing and "" mean none).
pub fn uid_of(m: &Model) -> Option<&str> {
    m.get("uid").and_then(Json::as_str).filter(|u| !u.is_empty())
}

/// The model's title, as written.
pub fn title_of(m: &Model) -> &str {
    m.get("title").and_then(Json::as_str).unwrap_or_default()
}

/// Input names declared in `__inputs` (the model's member).
pub fn declared_inputs(inputs: Option<&Json>) -> BTreeSet<String> {
    inputs
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| i.get("name")?.as_str().map(str::to_string))
        .collect()
}

/// The values of `constant` inputs that carry one: what Grafana's import dialog fills in when
/// nobody overrides it.
pub fn constant_inputs(inputs: Option<&Json>) -> BTreeMap<String, String> {
    inputs
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter(|i| i.get("type").and_then(Json::as_str) == Some("constant"))
        .filter_map(|i| Some((i.get("name")?.as_str()?.to_string(), i.get("value")?.as_str()?.to_string())))
        .collect()
}

/// Every declared input given (a constant with a value needs none), and only declared ones.
pub fn check_inputs(inputs: Option<&Json>, given: &BTreeSet<String>) -> Vec<Invalid> {
    let declared = declared_inputs(inputs);
    let constants = constant_inputs(inputs);
    let list = |s: &BTreeSet<String>| s.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
    let mut out = Vec::new();
    let undeclared: BTreeSet<String> = given.difference(&declared).cloned().collect();
    if !undeclared.is_empty() {
        let detail = if declared.is_empty() {
            format!("The dashboard declares no `__inputs`, so `inputs` must be empty; remove {}.", list(&undeclared))
        } else {
            format!(
                "The dashboard's `__inputs` do not declare {}. It declares: {}.",
                list(&undeclared),
                list(&declared)
            )
        };
        out.push(Invalid { summary: "Undeclared dashboard inputs", detail, about: About::Inputs });
    }
    let unset: BTreeSet<String> = declared.difference(given).filter(|n| !constants.contains_key(*n)).cloned().collect();
    if let Some(first) = unset.iter().next() {
        let example = if first.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            first.clone()
        } else {
            format!("{first:?}")
        };
        out.push(Invalid {
            summary: "Dashboard inputs not set",
            detail: format!(
                "The dashboard's `__inputs` declare {}, which `inputs` must set, e.g. `inputs = {{ {example} = \"<data \
                    source uid>\" }}`.",
                list(&unset)
            ),
            about: About::Inputs,
        });
    }
    out
}

/// The `${NAME}` placeholders a model's inputs fill, with their values: the declared inputs
/// given, and `constant` inputs' own values where not given.
pub struct Subs(Vec<(String, String)>);

impl Subs {
    pub fn new(inputs: Option<&Json>, given: &BTreeMap<String, String>) -> Subs {
        let declared = declared_inputs(inputs);
        if declared.is_empty() {
            return Subs(Vec::new());
        }
        let mut values = constant_inputs(inputs);
        values.extend(given.iter().map(|(k, v)| (k.clone(), v.clone())));
        Subs(values.into_iter().filter(|(k, _)| declared.contains(k)).map(|(k, v)| (format!("${{{k}}}"), v)).collect())
    }

    pub fn none() -> Subs {
        Subs(Vec::new())
    }

    /// The text with placeholders filled, when there is any to fill.
    fn apply(&self, s: &str) -> Option<String> {
        (!self.0.is_empty() && s.contains("${")).then(|| fill_text(s, &self.0))
    }
}

/// What is uploaded: the model with inputs filled in, without the export-only `__inputs` and
/// `__requires`, and without `id` and `version` (Grafana's own); the title trimmed as Grafana
/// trims it.
pub fn upload(mut m: Model, given: &BTreeMap<String, String>) -> Model {
    let subs = Subs::new(m.get("__inputs"), given);
    for k in ["__inputs", "__requires", "id", "version"] {
        m.remove(k);
    }
    if let Some(Json::String(t)) = m.get_mut("title")
        && t.trim().len() != t.len()
    {
        *t = t.trim().to_string();
    }
    if subs.0.is_empty() {
        return m;
    }
    match fill(Json::Object(m), &subs.0) {
        Json::Object(m) => m,
        _ => unreachable!("filling placeholders keeps an object an object"),
    }
}

/// Whether two models mean the same, each with its placeholders filled: what [`comparable`]
/// compares (`id`, `version`, `uid`, export keys and the title's outer spaces aside; key order
/// and `1` against `1.0` never count), without building either form. The uid in force is the
/// caller's to compare.
pub fn same_meaning(a: &Model, a_subs: &Subs, b: &Model, b_subs: &Subs) -> bool {
    const SKIPPED: [&str; 5] = ["id", "version", "uid", "__inputs", "__requires"];
    let counted = |m: &Model| m.keys().filter(|k| !SKIPPED.contains(&k.as_str())).count();
    if counted(a) != counted(b) {
        return false;
    }
    a.iter().filter(|(k, _)| !SKIPPED.contains(&k.as_str())).all(|(k, x)| match (k.as_str(), x, b.get(k)) {
        (_, _, None) => false,
        ("title", Json::String(s), Some(Json::String(t))) => {
            a_subs.apply(s).as_deref().unwrap_or(s).trim() == b_subs.apply(t).as_deref().unwrap_or(t).trim()
        }
        (_, x, Some(y)) => same_value(x, a_subs, y, b_subs),
    })
}

/// Grafana's model (`remote`, placeholders filled, no export keys) written in the form of
/// `prior`, the configuration's text as the state last held it: every part of the remote that
/// means what the prior's part means (placeholders filled with `subs`) is the prior's part,
/// placeholders and all; `__inputs`, `__requires` and the other export keys are the prior's. A
/// drift plan then shows what changed in Grafana and nothing else. List elements with an `id`
/// (panels) are matched by it, the rest by position.
pub fn in_form_of(prior: &Model, subs: &Subs, remote: &Model) -> Model {
    object_in_form_of(prior, subs, remote, |k, p, r| match (k, r) {
        // Export-only keys and what Grafana assigns: as the configuration has them.
        ("__inputs" | "__requires" | "__elements" | "id" | "version" | "uid", _) => true,
        ("title", Some(Json::String(r))) => {
            matches!(p, Json::String(t) if subs.apply(t).as_deref().unwrap_or(t).trim() == r.trim())
        }
        _ => false,
    })
}

/// An object of `remote` in the form of `prior`: a key `keep` holds to is the prior's part as it
/// is; any other the prior has is the remote's part in the prior's form, or gone with it; the
/// remote's new keys are added as they are.
fn object_in_form_of(
    prior: &Model,
    subs: &Subs,
    remote: &Model,
    keep: impl Fn(&str, &Json, Option<&Json>) -> bool,
) -> Model {
    let mut out = Model::new();
    for (k, p) in prior {
        let r = remote.get(k);
        if keep(k, p, r) {
            out.insert(k.clone(), p.clone());
        } else if let Some(r) = r {
            out.insert(k.clone(), value_in_form_of(p, subs, r));
        }
    }
    for (k, r) in remote {
        if !prior.contains_key(k) {
            out.insert(k.clone(), r.clone());
        }
    }
    out
}

fn value_in_form_of(p: &Json, subs: &Subs, r: &Json) -> Json {
    if same_value(p, subs, r, &Subs::none()) {
        return p.clone();
    }
    match (p, r) {
        (Json::Object(pm), Json::Object(rm)) => Json::Object(object_in_form_of(pm, subs, rm, |_, _, _| false)),
        // Elements with an `id` (panels) are matched by it, so a panel added or removed in
        // Grafana leaves the others in the configuration's form; the rest by position.
        (Json::Array(ps), Json::Array(rs)) => Json::Array(
            rs.iter()
                .enumerate()
                .map(|(i, y)| {
                    let x = match y.get("id").filter(|id| !id.is_null()) {
                        Some(id) => ps.iter().find(|x| x.get("id") == Some(id)),
                        None => ps.get(i),
                    };
                    x.map_or_else(|| y.clone(), |x| value_in_form_of(x, subs, y))
                })
                .collect(),
        ),
        _ => r.clone(),
    }
}

fn same_value(a: &Json, a_subs: &Subs, b: &Json, b_subs: &Subs) -> bool {
    match (a, b) {
        (Json::String(s), Json::String(t)) => match (a_subs.apply(s), b_subs.apply(t)) {
            (None, None) => s == t,
            (x, y) => x.as_deref().unwrap_or(s) == y.as_deref().unwrap_or(t),
        },
        (Json::Number(x), Json::Number(y)) => number(x) == number(y),
        (Json::Array(xs), Json::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same_value(x, a_subs, y, b_subs))
        }
        (Json::Object(m), Json::Object(n)) => {
            m.len() == n.len() && m.iter().all(|(k, x)| n.get(k).is_some_and(|y| same_value(x, a_subs, y, b_subs)))
        }
        (x, y) => x == y,
    }
}

/// A number as [`canonical`] writes it and [`same_meaning`] compares it: integral floats as
/// integers.
#[derive(PartialEq)]
enum Number {
    Int(i64),
    Big(u64),
    Float(f64),
}

fn number(n: &serde_json::Number) -> Number {
    if let Some(i) = n.as_i64() {
        return Number::Int(i);
    }
    if let Some(u) = n.as_u64() {
        return Number::Big(u);
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Number::Int(f as i64),
        Some(f) => Number::Float(f),
        None => Number::Float(f64::NAN),
    }
}

fn fill(v: Json, subs: &[(String, String)]) -> Json {
    match v {
        Json::String(s) if s.contains("${") => Json::String(fill_text(&s, subs)),
        Json::Array(xs) => Json::Array(xs.into_iter().map(|x| fill(x, subs)).collect()),
        Json::Object(m) => Json::Object(m.into_iter().map(|(k, x)| (k, fill(x, subs))).collect()),
        other => other,
    }
}

/// Replaces each placeholder in one left-to-right pass: a value that itself contains `${…}` is
/// copied as it is, never substituted again.
fn fill_text(s: &str, subs: &[(String, String)]) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        match subs.iter().find(|(from, _)| tail.starts_with(from.as_str())) {
            Some((from, to)) => {
                out.push_str(to);
                rest = &tail[from.len()..];
            }
            None => {
                out.push_str("${");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The canonical form two models are compared in, with `uid` set to the one in force: what
/// Grafana adds removed (`id`, `version`), export keys removed, the title trimmed, object keys
/// sorted, integral floats as integers.
pub fn comparable(mut m: Model, uid: Option<&str>) -> Json {
    for k in ["id", "version", "__inputs", "__requires"] {
        m.remove(k);
    }
    if let Some(Json::String(t)) = m.get_mut("title") {
        *t = t.trim().to_string();
    }
    match uid {
        Some(u) => m.insert("uid".into(), Json::String(u.into())),
        None => m.remove("uid"),
    };
    canonical(Json::Object(m))
}

/// A JSON value in canonical form: object keys sorted, integral floats as integers.
fn canonical(v: Json) -> Json {
    match v {
        Json::Object(m) => {
            let mut kv: Vec<(String, Json)> = m.into_iter().map(|(k, v)| (k, canonical(v))).collect();
            kv.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(kv.into_iter().collect())
        }
        Json::Array(xs) => Json::Array(xs.into_iter().map(canonical).collect()),
        // 1 and 1.0 mean the same number.
        Json::Number(n) => match number(&n) {
            Number::Int(i) => Json::from(i),
            Number::Big(_) | Number::Float(_) => Json::Number(n),
        },
        other => other,
    }
}

/// The model as Grafana holds it, for a state or a lookup: without Grafana's `id` and `version`.
pub fn without_server_fields(m: &Model) -> Model {
    let mut m = m.clone();
    m.remove("id");
    m.remove("version");
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_is_written_in_the_configurations_form() {
        let prior: Model = serde_json::from_str(
            r#"{"__inputs":[{"name":"DS","type":"datasource"}],"__requires":[{"id":"grafana"}],"title":" Svc ","uid":"u",
                "panels":[{"title":"A","datasource":{"uid":"${DS}"}},{"title":"B","datasource":{"uid":"${DS}"}}]}"#,
        )
        .unwrap();
        let remote: Model = serde_json::from_str(
            r#"{"title":"Svc","uid":"u","schemaVersion":39,
                "panels":[{"title":"A","datasource":{"uid":"cw"}},{"title":"B edited","datasource":{"uid":"cw"}}]}"#,
        )
        .unwrap();
        let given = BTreeMap::from([("DS".to_string(), "cw".to_string())]);
        let subs = Subs::new(prior.get("__inputs"), &given);
        let out = in_form_of(&prior, &subs, &remote);
        let expected = serde_json::json!({
            "__inputs": [{"name":"DS","type":"datasource"}], "__requires": [{"id":"grafana"}], "title": " Svc ", "uid": "u",
            "panels": [{"title":"A","datasource":{"uid":"${DS}"}},{"title":"B edited","datasource":{"uid":"${DS}"}}],
            "schemaVersion": 39
        });
        assert_eq!(Json::Object(out.clone()), expected);
        // It still means what Grafana holds.
        assert!(same_meaning(&out, &subs, &remote, &Subs::none()));
        // A placeholder whose value changed in Grafana is Grafana's value.
        let mut moved = remote.clone();
        moved["panels"][0]["datasource"]["uid"] = Json::String("other".into());
        let out = in_form_of(&prior, &subs, &moved);
        assert_eq!(out["panels"][0]["datasource"]["uid"], "other");
        assert_eq!(out["panels"][1]["datasource"]["uid"], "${DS}");
        // Panels with ids are matched by id: one added in Grafana at the top leaves the others'
        // placeholders in place.
        let prior: Model =
            serde_json::from_str(r#"{"title":"S","panels":[{"id":1,"ds":"${DS}"},{"id":2,"ds":"${DS}"}]}"#).unwrap();
        let remote: Model = serde_json::from_str(
            r#"{"title":"S","panels":[{"id":9,"ds":"cw"},{"id":1,"ds":"cw"},{"id":2,"ds":"cw"}]}"#,
        )
        .unwrap();
        let out = in_form_of(&prior, &subs, &remote);
        let ds: Vec<&str> = out["panels"].as_array().unwrap().iter().map(|p| p["ds"].as_str().unwrap()).collect();
        assert_eq!(ds, ["cw", "${DS}", "${DS}"]);
    }

    fn model(s: &str) -> Model {
        parse(s).unwrap()
    }

    #[test]
    fn inputs_are_filled_and_export_keys_dropped() {
        let m = model(
            r#"{"__inputs":[{"name":"DS_P"},{"name":"DS_X Y"}],"__requires":[],"id":3,"version":2,"title":" T ",
                "panels":[{"datasource":{"uid":"${DS_P}"},"targets":[{"expr":"up{x=\"${DS_X Y}\"}","other":"${UNDECLARED}"}]}]}"#,
        );
        let inputs =
            BTreeMap::from([("DS_P".to_string(), "prom".to_string()), ("DS_X Y".to_string(), "cw".to_string())]);
        assert_eq!(
            Json::Object(upload(m.clone(), &inputs)),
            serde_json::json!({"title": "T", "panels": [{"datasource": {"uid": "prom"}, "targets": [{"expr": "up{x=\"cw\"}", "other": "${UNDECLARED}"}]}]})
        );
    }

    #[test]
    fn constant_inputs_default_to_their_value_and_may_be_overridden() {
        let m = model(
            r#"{"__inputs":[{"name":"VAR_ENV","type":"constant","value":"prod"},{"name":"DS","type":"datasource"}],
                "title":"T","x":"${VAR_ENV}/${DS}"}"#,
        );
        let given = BTreeMap::from([("DS".to_string(), "amp".to_string())]);
        assert_eq!(upload(m.clone(), &given)["x"], Json::String("prod/amp".into()));
        let mut over = given.clone();
        over.insert("VAR_ENV".into(), "staging".into());
        assert_eq!(upload(m.clone(), &over)["x"], Json::String("staging/amp".into()));
        assert!(
            check_inputs(m.get("__inputs"), &BTreeSet::from(["DS".to_string()])).is_empty(),
            "the constant needs no value"
        );
        assert_eq!(check_inputs(m.get("__inputs"), &BTreeSet::new())[0].summary, "Dashboard inputs not set");
    }

    #[test]
    fn regression_input_values_were_substituted_twice() {
        let m = model(r#"{"__inputs":[{"name":"A"},{"name":"B"}],"title":"T","x":"${A}-${B}"}"#);
        let inputs = BTreeMap::from([("A".to_string(), "${B}".to_string()), ("B".to_string(), "b".to_string())]);
        assert_eq!(upload(m.clone(), &inputs)["x"], Json::String("${B}-b".into()), "a value is copied as it is");
    }

    #[test]
    fn comparison_ignores_what_grafana_adds_and_spelling() {
        let a = model(r#"{"title":"T","panels":[{"id":1}],"id":4,"version":9}"#);
        let b = model("{\n  \"panels\": [ { \"id\": 1.0 } ],\n  \"title\": \" T \"\n}");
        assert_eq!(comparable(a.clone(), Some("u")), comparable(b.clone(), Some("u")));
        assert_ne!(
            comparable(a.clone(), Some("u")),
            comparable(b, Some("v")),
            "the uid in force is part of the meaning"
        );
        let c = model(r#"{"title":"T","panels":[{"id":2}]}"#);
        assert_ne!(comparable(a, None), comparable(c, None));
    }

    #[test]
    fn validation_names_what_is_wrong() {
        let err = |s: &str| parse(s).unwrap_err().summary;
        assert_eq!(err("nope"), "config_json is not valid JSON");
        assert_eq!(err("[1]"), "config_json is not a JSON object");
        assert_eq!(err(r#"{"panels":[]}"#), "Dashboard title missing");
        assert_eq!(err(r#"{"title":" "}"#), "Dashboard title is blank");
        assert_eq!(err(r#"{"title":"t","uid":"a/b"}"#), "Invalid dashboard uid");
        assert_eq!(err(r#"{"title":"t","uid":7}"#), "Invalid dashboard uid");
        assert!(parse(r#"{"title":"t","uid":null}"#).is_ok());
        assert!(parse(r#"{"title":"t","uid":""}"#).is_ok());
        let given = BTreeSet::from(["A".to_string(), "C".to_string()]);
        let found =
            check_inputs(model(r#"{"title":"t","__inputs":[{"name":"A"},{"name":"B"}]}"#).get("__inputs"), &given);
        let text: Vec<String> = found.iter().map(|x| format!("{}: {}", x.summary, x.detail)).collect();
        assert!(text[0].starts_with("Undeclared dashboard inputs") && text[0].contains("\"C\""), "{text:?}");
        assert!(text[1].starts_with("Dashboard inputs not set") && text[1].contains("\"B\""), "{text:?}");
        assert!(found.iter().all(|i| i.about == About::Inputs));
    }
}
