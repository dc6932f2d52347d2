//! Data source JSON by Grafana's rules, knowing nothing of Terraform: `jsonData` and
//! `secureJsonData` objects, custom headers (`httpHeaderName<N>` in `jsonData`,
//! `httpHeaderValue<N>` in `secureJsonData`, N contiguous from 1: Grafana stops at the first
//! gap), and the checks that catch AMG mistakes before they reach Grafana.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

/// A finding about a data source's JSON, for the user.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub error: bool,
    pub summary: &'static str,
    pub detail: String,
}

/// The `authType`/`sigV4AuthType` values Grafana's AWS SDK knows (grafana-aws-sdk `AuthType`).
pub const AUTH_TYPES: &[&str] = &["default", "keys", "credentials", "ec2_iam_role", "grafana_assume_role"];

/// Keys that hold a secret when they appear in `jsonData` (where Grafana stores them in clear).
const SECRET_LOOKING: &[&str] = &[
    "password",
    "basicAuthPassword",
    "secretKey",
    "accessKey",
    "sigV4SecretKey",
    "sigV4AccessKey",
    "token",
    "apiKey",
    "privateKey",
    "clientSecret",
];

/// Parses a JSON object (`jsonData`); `null` and the empty string mean none.
pub fn parse_object(text: &str) -> Result<Map<String, Json>, String> {
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Json>(text) {
        Ok(Json::Object(m)) => Ok(m),
        Ok(Json::Null) => Ok(Map::new()),
        Ok(other) => Err(format!("it must be a JSON object, not {}", kind(&other))),
        Err(e) => Err(format!("it is not valid JSON: {e}")),
    }
}

/// Parses `secureJsonData`: an object whose values are strings.
pub fn parse_secrets(text: &str) -> Result<BTreeMap<String, String>, String> {
    parse_object(text)?
        .into_iter()
        .map(|(k, v)| match v {
            Json::String(s) => Ok((k, s)),
            other => Err(format!("the value of {k:?} must be a string, not {}", kind(&other))),
        })
        .collect()
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn is_header_key(k: &str) -> bool {
    k.starts_with("httpHeaderName") || k.starts_with("httpHeaderValue")
}

/// Custom headers as Grafana stores them, numbered in header-name order so a plan never
/// reshuffles them: `httpHeaderName<N>` entries for `jsonData` and `httpHeaderValue<N>`
/// secrets.
pub fn number_headers(headers: &BTreeMap<String, String>) -> (Map<String, Json>, BTreeMap<String, String>) {
    let mut names = Map::new();
    let mut values = BTreeMap::new();
    for (i, (name, value)) in headers.iter().enumerate() {
        names.insert(format!("httpHeaderName{}", i + 1), Json::String(name.clone()));
        values.insert(format!("httpHeaderValue{}", i + 1), value.clone());
    }
    (names, values)
}

/// The header names a `jsonData` declares, in N order, from 1 up to the first gap.
pub fn header_names(json_data: &Map<String, Json>) -> Vec<String> {
    (1..)
        .map_while(|n| json_data.get(&format!("httpHeaderName{n}")).and_then(Json::as_str).map(str::to_string))
        .collect()
}

/// `jsonData` without the header names (they belong to the headers, not to `json_data_encoded`).
pub fn without_headers(json_data: &Map<String, Json>) -> Map<String, Json> {
    json_data.iter().filter(|(k, _)| !k.starts_with("httpHeaderName")).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// The secret keys a configuration means Grafana to hold: its secrets, and one
/// `httpHeaderValue<N>` per header.
pub fn expected_secret_keys(secrets: &BTreeMap<String, String>, headers: usize) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = secrets.iter().filter(|(_, v)| !v.is_empty()).map(|(k, _)| k.clone()).collect();
    keys.extend((1..=headers).map(|n| format!("httpHeaderValue{n}")));
    keys
}

/// Two `jsonData` objects mean the same: key order, whitespace and number spelling aside.
pub fn same_json(a: &Map<String, Json>, b: &Map<String, Json>) -> bool {
    canonical(&Json::Object(a.clone())) == canonical(&Json::Object(b.clone()))
}

fn canonical(v: &Json) -> Json {
    match v {
        Json::Object(m) => {
            let mut kv: Vec<(String, Json)> = m.iter().map(|(k, v)| (k.clone(), canonical(v))).collect();
            kv.sort_by(|a, b| a.0.cmp(&b.0));
            Json::Object(kv.into_iter().collect())
        }
        Json::Array(xs) => Json::Array(xs.iter().map(canonical).collect()),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Json::from(f as i64),
            _ => Json::Number(n.clone()),
        },
        other => other.clone(),
    }
}

/// Keys that belong to the headers attribute, found in a JSON object the user wrote.
pub fn header_keys_in(m: &Map<String, Json>) -> Vec<String> {
    m.keys().filter(|k| is_header_key(k)).cloned().collect()
}

/// What a data source of `kind` with this `jsonData` gets wrong on AMG: warnings, since
/// Grafana stores `jsonData` as it is and configurations that work today must keep working.
pub fn check_json_data(kind: &str, json_data: &Map<String, Json>) -> Vec<Finding> {
    let mut out = Vec::new();
    let warn = |summary, detail| Finding { error: false, summary, detail };
    let secret: Vec<&str> =
        json_data.keys().filter(|k| SECRET_LOOKING.contains(&k.as_str())).map(String::as_str).collect();
    if !secret.is_empty() {
        out.push(warn(
            "A secret in json_data_encoded",
            format!(
                "json_data_encoded sets {secret:?}, which Grafana keeps in clear and shows to every viewer of the data \
                    source. Move {} to `secure_json_data_encoded_wo` (or `secure_json_data_encoded`).",
                if secret.len() == 1 { "it" } else { "them" }
            ),
        ));
    }
    for key in ["sigV4AuthType", "authType"] {
        if let Some(v) = json_data.get(key).and_then(Json::as_str)
            && !AUTH_TYPES.contains(&v)
        {
            let hint = if v.eq_ignore_ascii_case("workspace-iam-role") || v.eq_ignore_ascii_case("workspace_iam_role") {
                " The AMG workspace's IAM role is `ec2_iam_role`.".to_string()
            } else {
                String::new()
            };
            out.push(warn(
                "Unknown AWS authentication type",
                format!(
                    "`{key}` is {v:?}, which Grafana does not know: it falls back to the default credential \
                        chain.{hint} Grafana's values are {}.",
                    AUTH_TYPES.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    for k in json_data.keys() {
        let lower = k.to_ascii_lowercase();
        if lower.starts_with("sigv4") && !k.starts_with("sigV4") {
            out.push(warn(
                "Misspelt SigV4 setting",
                format!(
                    "`{k}` in json_data_encoded is not a setting Grafana reads (it is case-sensitive): write \
                        `sigV4{}`.",
                    &k[5..]
                ),
            ));
        }
    }
    if kind == "prometheus" && json_data.contains_key("assumeRoleArn") {
        out.push(warn(
            "assumeRoleArn is ignored by Prometheus data sources",
            "Core Prometheus reads the role to assume from `sigV4AssumeRoleArn`; `assumeRoleArn` is the setting of \
                CloudWatch and other AWS plugins. Rename it."
                .to_string(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn obj(v: Json) -> Map<String, Json> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn headers_are_numbered_in_name_order_and_read_back_to_the_first_gap() {
        let h = BTreeMap::from([("X-B".to_string(), "2".to_string()), ("X-A".to_string(), "1".to_string())]);
        let (names, values) = number_headers(&h);
        assert_eq!(Json::Object(names.clone()), json!({"httpHeaderName1": "X-A", "httpHeaderName2": "X-B"}));
        assert_eq!(
            values,
            BTreeMap::from([("httpHeaderValue1".into(), "1".into()), ("httpHeaderValue2".into(), "2".into())])
        );
        assert_eq!(header_names(&names), vec!["X-A", "X-B"]);
        let gap = obj(json!({"httpHeaderName1": "A", "httpHeaderName3": "C", "x": 1}));
        assert_eq!(header_names(&gap), vec!["A"], "Grafana stops at the first gap");
        assert_eq!(Json::Object(without_headers(&gap)), json!({"x": 1}));
        assert_eq!(
            expected_secret_keys(
                &BTreeMap::from([("password".into(), "p".into()), ("empty".into(), String::new())]),
                2
            ),
            BTreeSet::from(["password".into(), "httpHeaderValue1".into(), "httpHeaderValue2".into()])
        );
    }

    #[test]
    fn json_is_parsed_strictly_and_compared_by_meaning() {
        assert_eq!(parse_object("").unwrap(), Map::new());
        assert!(parse_object("[1]").unwrap_err().contains("JSON object, not an array"));
        assert!(parse_object("{").unwrap_err().contains("not valid JSON"));
        assert!(parse_secrets(r#"{"a": 1}"#).unwrap_err().contains("\"a\" must be a string"));
        assert!(same_json(&obj(json!({"a": 1.0, "b": [1]})), &obj(json!({"b": [1], "a": 1}))));
        assert!(!same_json(&obj(json!({"a": 1})), &obj(json!({"a": 2}))));
    }

    #[test]
    fn amg_mistakes_are_named() {
        let found = check_json_data(
            "prometheus",
            &obj(
                json!({"sigV4AuthType": "workspace-iam-role", "sigv4Region": "us-east-1", "assumeRoleArn": "arn", "basicAuthPassword": "x"}),
            ),
        );
        let summaries: Vec<&str> = found.iter().map(|f| f.summary).collect();
        assert_eq!(
            summaries,
            vec![
                "A secret in json_data_encoded",
                "Unknown AWS authentication type",
                "Misspelt SigV4 setting",
                "assumeRoleArn is ignored by Prometheus data sources"
            ]
        );
        assert!(found[1].detail.contains("`ec2_iam_role`"));
        assert!(found[2].detail.contains("sigV4Region"));
        assert!(found.iter().all(|f| !f.error));
        assert!(
            check_json_data("prometheus", &obj(json!({"sigV4Auth": true, "sigV4AuthType": "ec2_iam_role"}))).is_empty()
        );
        assert!(check_json_data("cloudwatch", &obj(json!({"authType": "keys", "assumeRoleArn": "arn"}))).is_empty());
    }
}
