//! amg-local's responses validated against Grafana's own OpenAPI definitions
//! (`tests/fixtures/grafana-openapi-subset.json`). Where the spec is known to differ from what
//! Grafana's server sends (`amg-local/reference/grafana-api.md` §0), the server wins; those cases are listed in
//! [`SERVER_OVER_SPEC`] with the reason.

use serde_json::Value;

use crate::support::Emu;

/// (definition, field, why): required fields the server does not send, and fields whose type
/// the server does not follow.
const SERVER_OVER_SPEC: &[(&str, &str, &str)] = &[
    (
        "Dashboard",
        "panels",
        "the dashboard JSON is stored and returned as saved: `panels` is an array in every real dashboard",
    ),
    (
        "Dashboard",
        "links",
        "the dashboard JSON is stored and returned as saved: `links` is an array in every real dashboard",
    ),
    ("postDashboardResponse", "title", "the server sends `slug`, never `title`"),
    ("deleteDashboardResponse", "id", "11+ servers send {title,message,uid}"),
    ("deleteFolderResponse", "id", "10.x+ servers send {\"message\":\"Folder deleted\"} only"),
    ("deleteFolderResponse", "title", "10.x+ servers send {\"message\":\"Folder deleted\"} only"),
];

fn spec() -> Value {
    serde_json::from_str(include_str!("../fixtures/grafana-openapi-subset.json")).expect("spec")
}

/// The 200 response schema of `method path` (path as in the spec, without `/api`).
fn response_schema<'a>(spec: &'a Value, method: &str, path: &str) -> (String, &'a Value) {
    let op = &spec["paths"][path][method.to_lowercase()];
    let r = &op["responses"]["200"];
    let (name, r) = match r["$ref"].as_str() {
        Some(rf) => {
            let name = rf.trim_start_matches("#/responses/").to_string();
            (name.clone(), &spec["responses"][&name])
        }
        None => (format!("{method} {path}"), r),
    };
    assert!(r["schema"].is_object(), "no 200 schema for {method} {path}");
    (name, &r["schema"])
}

fn validate(spec: &Value, schema: &Value, v: &Value, at: &str, ctx: &str, errs: &mut Vec<String>) {
    if let Some(rf) = schema["$ref"].as_str() {
        let name = rf.trim_start_matches("#/definitions/");
        return validate(spec, &spec["definitions"][name], v, at, name, errs);
    }
    if let Some(all) = schema["allOf"].as_array() {
        for s in all {
            validate(spec, s, v, at, ctx, errs);
        }
    }
    if v.is_null() {
        return; // Go's encoder writes null for nil maps, slices and pointers; the spec cannot say so.
    }
    let ty = schema["type"].as_str().or(if schema["properties"].is_object() { Some("object") } else { None });
    let ok = match ty {
        None => true,
        Some("object") => v.is_object(),
        Some("array") => v.is_array(),
        Some("string") => v.is_string(),
        Some("integer") => v.as_i64().is_some() || v.as_u64().is_some(),
        Some("number") => v.is_number(),
        Some("boolean") => v.is_boolean(),
        Some(other) => {
            errs.push(format!("{at}: unsupported schema type {other}"));
            true
        }
    };
    if !ok {
        errs.push(format!("{at}: expected {}, found {v}", ty.unwrap_or("?")));
        return;
    }
    if let (Some(props), Some(obj)) = (schema["properties"].as_object(), v.as_object()) {
        for (k, s) in props {
            if SERVER_OVER_SPEC.iter().any(|(d, f, _)| *d == ctx && f == k) {
                continue;
            }
            if let Some(x) = obj.get(k) {
                validate(spec, s, x, &format!("{at}.{k}"), ctx, errs);
            }
        }
        for req in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            let excused = SERVER_OVER_SPEC.iter().any(|(d, f, _)| *d == ctx && *f == req);
            if !obj.contains_key(req) && !excused {
                errs.push(format!("{at}: required `{req}` missing ({ctx})"));
            }
        }
        if let Some(extra) = schema["additionalProperties"].as_object() {
            for (k, x) in obj.iter().filter(|(k, _)| !props.contains_key(*k)) {
                validate(spec, &Value::Object(extra.clone()), x, &format!("{at}.{k}"), ctx, errs);
            }
        }
    }
    if let (Some(items), Some(xs)) = (schema.get("items"), v.as_array()) {
        for (i, x) in xs.iter().enumerate() {
            validate(spec, items, x, &format!("{at}[{i}]"), ctx, errs);
        }
    }
}

fn check(
    spec: &Value,
    errs: &mut Vec<String>,
    emu: &Emu,
    method: &str,
    path: &str,
    spec_path: &str,
    body: Option<&str>,
) -> Value {
    let (status, v) = emu.api(method, path, body);
    assert_eq!(status, 200, "{method} {path}: {v}");
    let (name, schema) = response_schema(spec, method, spec_path);
    validate(spec, schema, &v, &format!("{method} {path}"), &name, errs);
    v
}

fn run(profile: &str) {
    let spec = spec();
    let emu = Emu::start(&["--grafana-version", profile]);
    let mut e = Vec::new();
    let errs = &mut e;
    check(&spec, errs, &emu, "POST", "/api/folders", "/folders", Some(r#"{"uid":"team-a","title":"Team A"}"#));
    check(
        &spec,
        errs,
        &emu,
        "POST",
        "/api/folders",
        "/folders",
        Some(r#"{"uid":"child","title":"Child","parentUid":"team-a"}"#),
    );
    check(&spec, errs, &emu, "GET", "/api/folders/child", "/folders/{folder_uid}", None);
    check(&spec, errs, &emu, "GET", "/api/folders", "/folders", None);
    check(
        &spec,
        errs,
        &emu,
        "PUT",
        "/api/folders/team-a",
        "/folders/{folder_uid}",
        Some(r#"{"title":"Team A2","overwrite":true}"#),
    );
    check(
        &spec,
        errs,
        &emu,
        "POST",
        "/api/dashboards/db",
        "/dashboards/db",
        Some(
            r#"{"dashboard":{"uid":"prod","title":"Prod","tags":["a"],"panels":[{"id":1,"type":"timeseries"}],"links":[]},"folderUid":"team-a"}"#,
        ),
    );
    check(&spec, errs, &emu, "GET", "/api/dashboards/uid/prod", "/dashboards/uid/{uid}", None);
    check(&spec, errs, &emu, "GET", "/api/search?query=Pro", "/search", None);
    check(&spec, errs, &emu, "GET", "/api/search", "/search", None);
    if profile == "10.4" {
        // 12.4 answers {continueToken, versions}: newer than this 11.4 spec (amg-local/reference/grafana-api.md §8).
        check(&spec, errs, &emu, "GET", "/api/dashboards/uid/prod/versions", "/dashboards/uid/{uid}/versions", None);
    }
    check(
        &spec,
        errs,
        &emu,
        "POST",
        "/api/datasources",
        "/datasources",
        Some(
            r#"{"uid":"amp","name":"AMP","type":"prometheus","access":"proxy","jsonData":{"sigV4Auth":true},"secureJsonData":{"sigV4SecretKey":"x"}}"#,
        ),
    );
    check(&spec, errs, &emu, "GET", "/api/datasources/uid/amp", "/datasources/uid/{uid}", None);
    check(&spec, errs, &emu, "GET", "/api/datasources/name/AMP", "/datasources/name/{name}", None);
    check(&spec, errs, &emu, "GET", "/api/datasources", "/datasources", None);
    check(
        &spec,
        errs,
        &emu,
        "PUT",
        "/api/datasources/uid/amp",
        "/datasources/uid/{uid}",
        Some(r#"{"name":"AMP","type":"prometheus","access":"proxy","version":1}"#),
    );
    check(&spec, errs, &emu, "DELETE", "/api/datasources/name/AMP", "/datasources/name/{name}", None);
    check(&spec, errs, &emu, "DELETE", "/api/dashboards/uid/prod", "/dashboards/uid/{uid}", None);
    check(&spec, errs, &emu, "DELETE", "/api/folders/team-a", "/folders/{folder_uid}", None);
    assert!(e.is_empty(), "Grafana {profile}: responses differ from Grafana's OpenAPI definitions:\n{}", e.join("\n"));
}

#[test]
fn responses_match_grafanas_openapi_on_10_4() {
    run("10.4");
}

#[test]
fn responses_match_grafanas_openapi_on_12_4() {
    run("12.4");
}

#[test]
fn the_validator_catches_a_wrong_shape() {
    let spec = spec();
    let (name, schema) = response_schema(&spec, "GET", "/folders/{folder_uid}");
    let mut errs = Vec::new();
    validate(&spec, schema, &serde_json::json!({"id": "three", "uid": 5}), "x", &name, &mut errs);
    assert!(errs.iter().any(|e| e.contains("x.id: expected integer")), "{errs:?}");
    assert!(errs.iter().any(|e| e.contains("x.uid: expected string")), "{errs:?}");
}
