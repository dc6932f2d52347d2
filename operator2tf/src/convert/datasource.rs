//! `GrafanaDatasource` → `grafana_data_source`: the data source's fields under the provider's
//! names, `jsonData` as `json_data_encoded`, secrets write-only (`secure_json_data_encoded_wo`,
//! `http_headers_wo` from the `httpHeaderName<N>`/`httpHeaderValue<N>` pairs) from sensitive
//! variables, `valuesFrom` resolved as the operator does: `${key}` in the target replaced by the
//! ConfigMap's value, or by a sensitive variable for a Secret's (never its value).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Converted, Index, Lookup, Resource, first_uid, meta_name, namespace, text, unique_name};
use crate::flux::{CLOSE, OPEN, markers, tf_name};
use crate::hcl::{Expr, identifier};
use crate::load::{Failure, Manifest};

pub fn convert(m: &Manifest, index: &Index<'_>, out: &mut Converted) {
    let (ns, name) = (namespace(&m.value), meta_name(&m.value));
    let spec = &m.value["spec"];
    let fail = |out: &mut Converted, message: String| {
        out.failures
            .push(Failure { source: m.source.clone(), message: format!("GrafanaDatasource `{name}`: {message}") })
    };
    let mut ds = match &spec["datasource"] {
        Value::Object(o) => o.clone(),
        _ => return fail(out, "`spec.datasource` is missing".into()),
    };
    if let Err(e) = values_from(spec, &ns, &mut ds, index, out) {
        return fail(out, e);
    }
    let string_of = |k: &str| ds.get(k).and_then(Value::as_str).map(str::to_string);
    let (Some(ds_name), Some(ds_type)) = (string_of("name"), string_of("type")) else {
        return fail(out, "`spec.datasource` needs `name` and `type`".into());
    };
    let ds_uid = ds.get("uid").cloned().unwrap_or(Value::Null);
    let uid = first_uid(&[
        (&spec["uid"], "`spec.uid`"),
        (&ds_uid, "`spec.datasource.uid`"),
        (&m.value["metadata"]["uid"], "`metadata.uid` (Kubernetes')"),
    ]);
    let rname = unique_name(out, "grafana_data_source", &ns, &name);
    let mut attrs = vec![("name".to_string(), Expr::Str(ds_name.clone())), ("type".into(), Expr::Str(ds_type))];
    if let Some((u, _)) = &uid {
        attrs.push(("uid".into(), Expr::Str(u.clone())));
    }
    for (field, attr) in
        [("url", "url"), ("access", "access_mode"), ("database", "database_name"), ("user", "username")]
    {
        if let Some(v) = ds.get(field).and_then(text) {
            attrs.push((attr.into(), Expr::Str(v)));
        }
    }
    if let Some(v) = ds.get("basicAuthUser").and_then(text) {
        attrs.push(("basic_auth_username".into(), Expr::Str(v)));
    }
    for (field, attr) in [("basicAuth", "basic_auth_enabled"), ("isDefault", "is_default")] {
        match ds.get(field) {
            Some(Value::Bool(b)) => attrs.push((attr.into(), Expr::Bool(*b))),
            Some(Value::String(s)) if !s.is_empty() => attrs.push((attr.into(), Expr::Str(s.clone()))),
            _ => {}
        }
    }
    let mut json_data = ds.get("jsonData").and_then(Value::as_object).cloned().unwrap_or_default();
    let secure = ds.get("secureJsonData").and_then(Value::as_object).cloned().unwrap_or_default();
    let headers = take_headers(&mut json_data, &secure);
    let how = slips(&json_data);
    if !json_data.is_empty() {
        attrs.push(("json_data_encoded".into(), Expr::JsonEncode(Value::Object(json_data))));
    }
    let secrets: Vec<(String, Expr)> = secure
        .iter()
        .filter(|(k, _)| !is_header_value(k))
        .map(|(k, v)| (k.clone(), secret(out, &rname, k, v, &m.source.to_string())))
        .collect();
    if !secrets.is_empty() {
        attrs.push(("secure_json_data_encoded_wo".into(), Expr::Raw(json_of(&secrets))));
    }
    if !headers.is_empty() {
        let pairs: Vec<(String, Expr)> =
            headers.into_iter().map(|(h, (k, v))| (h, secret(out, &rname, &k, &v, &m.source.to_string()))).collect();
        attrs.push(("http_headers_wo".into(), Expr::Map(pairs)));
    }
    out.resources.push(Resource {
        source: m.source.clone(),
        kind: "grafana_data_source",
        name: rname,
        attrs,
        blocks: Vec::new(),
        uid,
        lookup: Lookup::DataSource { name: ds_name },
        dashboard: None,
        import: None,
        how,
    });
}

/// `jsonData` values that are text only because of a stray comma (`true,`): kept as the operator
/// sent them, named in the report.
fn slips(json_data: &Map<String, Value>) -> String {
    let slipped: Vec<String> = json_data
        .iter()
        .filter_map(|(k, v)| {
            let t = v.as_str()?.strip_suffix(',')?;
            let meant = crate::yaml::documents(&format!("x: {t}\n")).0.pop()?.value["x"].clone();
            (!meant.is_string() && !meant.is_null()).then(|| format!("`jsonData.{k}` is the text {v} (a stray comma)"))
        })
        .collect();
    if slipped.is_empty() {
        return String::new();
    }
    format!("{}, as the operator sent it: fix it in Terraform when the plan is empty", slipped.join(", "))
}

/// `jsonencode({ key = value, … })` of secrets already written as expressions.
fn json_of(pairs: &[(String, Expr)]) -> String {
    format!("jsonencode({})", crate::hcl::expr(&Expr::Map(pairs.to_vec()), 1))
}

fn is_header_value(k: &str) -> bool {
    k.strip_prefix("httpHeaderValue").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `httpHeaderName<N>` out of `jsonData`, paired with `httpHeaderValue<N>` of the secrets:
/// header name → (secret key, value).
fn take_headers(json_data: &mut Map<String, Value>, secure: &Map<String, Value>) -> BTreeMap<String, (String, Value)> {
    let names: Vec<String> = json_data
        .keys()
        .filter(|k| {
            k.strip_prefix("httpHeaderName").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .cloned()
        .collect();
    let mut out = BTreeMap::new();
    for k in names {
        let n = &k["httpHeaderName".len()..];
        let Some(Value::String(header)) = json_data.shift_remove(&k) else { continue };
        let vk = format!("httpHeaderValue{n}");
        out.insert(header, (vk.clone(), secure.get(&vk).cloned().unwrap_or(Value::String(String::new()))));
    }
    out
}

/// A secret's expression: a sensitive variable for a literal value (never written to a file);
/// the text with its variables (Flux's or a Secret's), marked sensitive, for one that has them.
fn secret(out: &mut Converted, resource: &str, key: &str, v: &Value, source: &str) -> Expr {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let vars = markers(&s);
    if vars.is_empty() {
        let var = identifier(&format!("{resource}_{key}"));
        out.secrets.insert(var.clone(), format!("`secureJsonData.{key}` of {source} (a literal in the manifest)"));
        return Expr::Raw(format!("var.{var}"));
    }
    for v in vars {
        out.secrets.entry(tf_name(&v)).or_insert_with(|| format!("`secureJsonData.{key}` of {source}"));
    }
    Expr::Str(s)
}

/// `valuesFrom`: `${key}` (and `$key`) in the value at `targetPath` replaced by the ConfigMap's
/// value, or a Secret's variable; a target that does not exist yet is set to the value.
pub(super) fn values_from(
    spec: &Value,
    ns: &str,
    ds: &mut Map<String, Value>,
    index: &Index<'_>,
    out: &mut Converted,
) -> Result<(), String> {
    for v in spec["valuesFrom"].as_array().into_iter().flatten() {
        let Some(path) = v["targetPath"].as_str() else { return Err("`valuesFrom` entry without `targetPath`".into()) };
        let (cm, sec) = (&v["valueFrom"]["configMapKeyRef"], &v["valueFrom"]["secretKeyRef"]);
        let value = if let (Some(n), Some(k)) = (cm["name"].as_str(), cm["key"].as_str()) {
            let map = index.config_maps.get(&(ns.to_string(), n.to_string())).ok_or_else(|| {
                format!(
                    "`valuesFrom` ({path}) names ConfigMap `{n}` (namespace `{ns}`), which is not among the manifests: \
                        pass the file that defines it"
                )
            })?;
            let value = map["data"][k].as_str().ok_or_else(|| format!("ConfigMap `{n}` has no key `{k}` ({path})"))?;
            (k.to_string(), value.to_string())
        } else if let (Some(n), Some(k)) = (sec["name"].as_str(), sec["key"].as_str()) {
            let var = identifier(&format!("{n}_{k}"));
            let found = if index.secrets.contains(&(ns.to_string(), n.to_string())) {
                "among the manifests"
            } else {
                "in the cluster"
            };
            out.secrets.insert(var.clone(), format!("Secret `{n}` key `{k}` ({found}), for `{path}`"));
            (k.to_string(), format!("{OPEN}{}{CLOSE}", var.to_ascii_uppercase()))
        } else {
            return Err(format!(
                "`valuesFrom` ({path}) needs `configMapKeyRef` or `secretKeyRef` with `name` and `key`"
            ));
        };
        set_path(ds, path, &value.0, &value.1);
    }
    Ok(())
}

fn set_path(ds: &mut Map<String, Value>, path: &str, key: &str, value: &str) {
    // `jsonData.exemplarTraceIdDestinations[1].name`: keys, and indexes into lists.
    let mut steps: Vec<Result<String, usize>> = Vec::new();
    for part in path.split('.') {
        let (name, rest) = part.split_once('[').unwrap_or((part, ""));
        if !name.is_empty() {
            steps.push(Ok(name.to_string()));
        }
        for idx in rest.split('[').filter_map(|s| s.trim_end_matches(']').parse().ok()) {
            steps.push(Err(idx));
        }
    }
    let mut root = Value::Object(std::mem::take(ds));
    let mut at = &mut root;
    for step in &steps {
        at = match step {
            Ok(k) => {
                if !at.is_object() {
                    *at = Value::Object(Map::new());
                }
                at.as_object_mut().expect("an object").entry(k.clone()).or_insert(Value::Null)
            }
            Err(n) => {
                if !at.is_array() {
                    *at = Value::Array(Vec::new());
                }
                let a = at.as_array_mut().expect("a list");
                if a.len() <= *n {
                    a.resize(n + 1, Value::Null);
                }
                &mut a[*n]
            }
        };
    }
    *at = Value::String(match at.as_str() {
        Some(t) => t.replace(&format!("${{{key}}}"), value).replace(&format!("${key}"), value),
        None => value.to_string(),
    });
    if let Value::Object(m) = root {
        *ds = m;
    }
}
