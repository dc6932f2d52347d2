//! Data sources: add, get (by uid or name), list, update (Grafana's version and secret-merge
//! semantics), delete; provisioned (`readOnly`) ones refuse writes.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::Ctx;
use super::auth::Caller;
use super::envelope::{Body, R, gerr, msg, msg_trace, ok};
use crate::world::{DsRec, Profile, Role};

fn logo(kind: &str) -> String {
    match kind {
        "prometheus" | "cloudwatch" | "loki" | "elasticsearch" | "graphite" | "influxdb" | "tempo" | "jaeger"
        | "zipkin" | "mysql" | "postgres" => {
            format!("public/app/plugins/datasource/{kind}/img/{kind}_logo.svg")
        }
        _ => "public/img/icn-datasource.svg".into(),
    }
}

fn ds_json(ds: &DsRec, profile: Profile) -> Value {
    let mut v = json!({
        "id": ds.id, "uid": ds.uid, "orgId": 1, "name": ds.name, "type": ds.kind, "typeLogoUrl": logo(&ds.kind),
        "access": ds.access, "url": ds.url, "user": ds.user, "database": ds.database, "basicAuth": ds.basic_auth,
        "basicAuthUser": ds.basic_auth_user, "withCredentials": ds.with_credentials, "isDefault": ds.is_default,
    });
    if !ds.json_data.is_null() {
        v["jsonData"] = ds.json_data.clone();
    }
    let fields: Map<String, Value> =
        ds.secure.iter().filter(|(_, s)| !s.is_empty()).map(|(k, _)| (k.clone(), json!(true))).collect();
    v["secureJsonFields"] = Value::Object(fields);
    v["version"] = json!(ds.version);
    v["readOnly"] = json!(ds.read_only);
    if profile == Profile::V12_4 {
        v["apiVersion"] = json!("");
    }
    v
}

/// `--prometheus-sigv4-migration`: Grafana 12+ converts `prometheus` data sources that use
/// SigV4 into `grafana-amazonprometheus-datasource` (Grafana's "Migrate from Prometheus SigV4"
/// docs; `amg-local/reference/grafana-api.md` §4.1); 10.4 does not.
fn migrated_kind(ctx: &Ctx, profile: Profile, kind: String, json_data: Option<&Value>) -> String {
    let sigv4 = json_data.and_then(|j| j.get("sigV4Auth")).and_then(Value::as_bool) == Some(true);
    if ctx.world.prometheus_sigv4_migration && profile == Profile::V12_4 && kind == "prometheus" && sigv4 {
        "grafana-amazonprometheus-datasource".to_string()
    } else {
        kind
    }
}

fn ds_not_found() -> Response {
    msg(StatusCode::NOT_FOUND, "Data source not found")
}

pub(super) async fn list_datasources(State(ctx): State<Ctx>, caller: Caller) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "datasources:read")?;
    let g = ws.grafana.lock().expect("lock");
    let mut list: Vec<&DsRec> = g.datasources.iter().collect();
    list.sort_by_key(|d| d.name.to_lowercase());
    ok(Value::Array(
        list.into_iter()
            .map(|d| {
                let mut v = ds_json(d, ws.profile);
                let m = v.as_object_mut().expect("object");
                for k in ["basicAuthUser", "withCredentials", "secureJsonFields", "version", "apiVersion"] {
                    m.remove(k);
                }
                m.insert("typeName".into(), json!(d.kind));
                v
            })
            .collect(),
    ))
}

fn str_of(b: &Map<String, Value>, k: &str) -> String {
    b.get(k).and_then(Value::as_str).unwrap_or_default().to_string()
}

fn secure_of(b: &Map<String, Value>) -> Option<Vec<(String, String)>> {
    b.get("secureJsonData")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
}

/// A data source's name and url lengths, in bytes as Go's `len` counts, on add and update alike
/// (`maxDatasourceNameLen`, `maxDatasourceUrlLen` in `pkg/services/datasources/service/datasource.go`;
/// 12.x checks them in `prepareInstanceSettings`, which both paths call).
fn check_lengths(name: &str, url: &str) -> Result<(), Response> {
    if name.len() > 190 {
        return Err(gerr(
            StatusCode::BAD_REQUEST,
            json!({"message": "Invalid datasource name.", "messageId": "datasource.nameInvalid", "statusCode": 400, "traceID": ""}),
        ));
    }
    if url.len() > 255 {
        return Err(gerr(
            StatusCode::BAD_REQUEST,
            json!({"message": "Invalid datasource url.", "messageId": "datasource.urlInvalid", "statusCode": 400, "traceID": ""}),
        ));
    }
    Ok(())
}

pub(super) async fn add_datasource(State(ctx): State<Ctx>, caller: Caller, Body(b): Body) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "datasources:create")?;
    let (kind, access) = (str_of(&b, "type"), str_of(&b, "access"));
    let kind = migrated_kind(&ctx, ws.profile, kind, b.get("jsonData"));
    if kind.is_empty() || access.is_empty() {
        return Err(msg_trace(StatusCode::BAD_REQUEST, "bad request data"));
    }
    let name = str_of(&b, "name");
    let url = str_of(&b, "url");
    check_lengths(&name, &url)?;
    let mut g = ws.grafana.lock().expect("lock");
    let name = if name.is_empty() {
        // `getAvailableName` compares lower-cased names: `Loki` present makes a new one `loki-1`.
        let mut n = kind.clone();
        let mut i = 0;
        while g.datasources.iter().any(|d| d.name.to_lowercase() == n.to_lowercase()) {
            i += 1;
            n = format!("{kind}-{i}");
        }
        n
    } else {
        name
    };
    if g.datasources.iter().any(|d| d.name == name) {
        return Err(msg_trace(StatusCode::CONFLICT, "data source with the same name already exists"));
    }
    let uid = str_of(&b, "uid");
    if !uid.is_empty() && g.datasources.iter().any(|d| d.uid == uid) {
        return Err(msg_trace(StatusCode::CONFLICT, "data source with the same uid already exists"));
    }
    let is_default = g.datasources.is_empty() || b.get("isDefault").and_then(Value::as_bool).unwrap_or(false);
    if is_default {
        for d in g.datasources.iter_mut() {
            d.is_default = false;
        }
    }
    let ds = DsRec {
        id: g.next_id(),
        uid: if uid.is_empty() { ctx.world.new_uid() } else { uid },
        name: name.clone(),
        kind,
        access,
        url,
        user: str_of(&b, "user"),
        database: str_of(&b, "database"),
        basic_auth: b.get("basicAuth").and_then(Value::as_bool).unwrap_or(false),
        basic_auth_user: str_of(&b, "basicAuthUser"),
        with_credentials: b.get("withCredentials").and_then(Value::as_bool).unwrap_or(false),
        is_default,
        json_data: b.get("jsonData").cloned().filter(|j| !j.is_null()).unwrap_or(json!({})),
        secure: secure_of(&b).unwrap_or_default().into_iter().collect(),
        version: 1,
        read_only: false,
    };
    g.datasources.push(ds.clone());
    ok(json!({"datasource": ds_json(&ds, ws.profile), "id": ds.id, "message": "Datasource added", "name": name}))
}

pub(super) async fn get_datasource(State(ctx): State<Ctx>, caller: Caller, Path(uid): Path<String>) -> R {
    get_ds_where(&ctx, &caller, |d| d.uid == uid)
}

pub(super) async fn get_datasource_by_name(State(ctx): State<Ctx>, caller: Caller, Path(name): Path<String>) -> R {
    get_ds_where(&ctx, &caller, |d| d.name == name)
}

fn get_ds_where(ctx: &Ctx, caller: &Caller, pred: impl Fn(&DsRec) -> bool) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "datasources:read")?;
    let g = ws.grafana.lock().expect("lock");
    let ds = g.datasources.iter().find(|d| pred(d)).ok_or_else(ds_not_found)?;
    ok(ds_json(ds, ws.profile))
}

pub(super) async fn update_datasource(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path(uid): Path<String>,
    Body(b): Body,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "datasources:write")?;
    let (name, kind, access) = (str_of(&b, "name"), str_of(&b, "type"), str_of(&b, "access"));
    let kind = migrated_kind(&ctx, ws.profile, kind, b.get("jsonData"));
    if name.is_empty() || kind.is_empty() || access.is_empty() {
        return Err(msg_trace(StatusCode::BAD_REQUEST, "bad request data"));
    }
    check_lengths(&name, &str_of(&b, "url"))?;
    let mut g = ws.grafana.lock().expect("lock");
    let idx = g.datasources.iter().position(|d| d.uid == uid).ok_or_else(ds_not_found)?;
    if g.datasources[idx].read_only {
        return Err(msg(StatusCode::FORBIDDEN, "Cannot update read-only data source"));
    }
    if g.datasources.iter().any(|d| d.uid != uid && d.name == name) {
        return Err(msg_trace(
            StatusCode::CONFLICT,
            "Failed to update datasource: data source with the same name already exists",
        ));
    }
    let req_version = b.get("version").and_then(Value::as_i64).unwrap_or(0);
    if req_version > 0 && g.datasources[idx].version > req_version {
        return Err(msg_trace(
            StatusCode::CONFLICT,
            "Datasource has already been updated by someone else. Please reload and try again",
        ));
    }
    if b.get("isDefault").and_then(Value::as_bool) == Some(true) {
        for d in g.datasources.iter_mut() {
            d.is_default = false;
        }
    }
    let ds = &mut g.datasources[idx];
    ds.name = name.clone();
    ds.kind = kind;
    ds.access = access;
    // Empty strings are not written (xorm zero-value skip), except user and database.
    for (k, field) in [("url", &mut ds.url), ("basicAuthUser", &mut ds.basic_auth_user)] {
        let v = str_of(&b, k);
        if !v.is_empty() {
            *field = v;
        }
    }
    ds.user = str_of(&b, "user");
    ds.database = str_of(&b, "database");
    ds.basic_auth = b.get("basicAuth").and_then(Value::as_bool).unwrap_or(false);
    ds.with_credentials = b.get("withCredentials").and_then(Value::as_bool).unwrap_or(false);
    ds.is_default = b.get("isDefault").and_then(Value::as_bool).unwrap_or(false);
    ds.json_data = b.get("jsonData").cloned().filter(|j| !j.is_null()).unwrap_or(json!({}));
    if let Some(sec) = secure_of(&b) {
        for (k, v) in sec {
            ds.secure.insert(k, v);
        }
    }
    ds.version = req_version + 1;
    let ds = ds.clone();
    ok(json!({"datasource": ds_json(&ds, ws.profile), "id": ds.id, "message": "Datasource updated", "name": name}))
}

pub(super) async fn delete_datasource(State(ctx): State<Ctx>, caller: Caller, Path(uid): Path<String>) -> R {
    delete_ds_where(&ctx, &caller, |d| d.uid == uid)
}

pub(super) async fn delete_datasource_by_name(State(ctx): State<Ctx>, caller: Caller, Path(name): Path<String>) -> R {
    delete_ds_where(&ctx, &caller, |d| d.name == name)
}

fn delete_ds_where(ctx: &Ctx, caller: &Caller, pred: impl Fn(&DsRec) -> bool) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "datasources:delete")?;
    let mut g = ws.grafana.lock().expect("lock");
    let idx = g.datasources.iter().position(pred).ok_or_else(ds_not_found)?;
    if g.datasources[idx].read_only {
        return Err(msg(StatusCode::FORBIDDEN, "Cannot delete read-only data source"));
    }
    let ds = g.datasources.remove(idx);
    ok(json!({"id": ds.id, "message": "Data source deleted"}))
}
