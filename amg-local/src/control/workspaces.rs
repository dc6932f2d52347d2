//! Workspaces: create, describe, list, update, delete; their configuration, authentication
//! and tags.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{Host, R, aws_error, body_json, conflict, ok, require_str, str_field, validation, workspace};
use crate::world::Shared;
use crate::world::{ACCOUNT, Accounts, Credential, Profile, REGION, Store, Workspace, now_epoch};

/// Creates the workspace the ready line names (ACTIVE at once, the world's default profile).
pub fn create_default_workspace(world: &Shared, host: &dyn Host) -> Result<Arc<Workspace>, String> {
    let profile = world.default_profile;
    let mut desc = serde_json::Map::new();
    desc.insert("name".into(), json!("amg-local"));
    desc.insert("accountAccessType".into(), json!("CURRENT_ACCOUNT"));
    desc.insert("permissionType".into(), json!("SERVICE_MANAGED"));
    desc.insert("authentication".into(), json!({"providers": ["AWS_SSO"]}));
    let ws = new_workspace(world, host, profile, desc)?;
    ws.desc.lock().expect("lock").insert("status".into(), json!("ACTIVE"));
    Ok(ws)
}

fn new_workspace(
    world: &Shared,
    host: &dyn Host,
    profile: Profile,
    mut desc: serde_json::Map<String, Value>,
) -> Result<Arc<Workspace>, String> {
    let id = format!("g-{}", world.random_hex(10));
    let (addr, serve) = host.bind()?;
    let now = now_epoch();
    for (k, v) in [
        ("id", json!(id)),
        ("endpoint", json!(addr.to_string())),
        ("grafanaVersion", json!(profile.label())),
        ("created", json!(now)),
        ("modified", json!(now)),
        ("status", json!("CREATING")),
        ("licenseType", json!("ENTERPRISE_FREE_TRIAL")),
        ("freeTrialConsumed", json!(false)),
    ] {
        desc.insert(k.into(), v);
    }
    // `dataSources` is a required member (empty list when none); optional members are omitted
    // when empty, as AWS's JSON protocols serialise them.
    desc.entry("dataSources").or_insert(json!([]));
    desc.entry("tags").or_insert(json!({}));
    desc.entry("configuration")
        .or_insert(json!(r#"{"plugins":{"pluginAdminEnabled":false},"unifiedAlerting":{"enabled":true}}"#));
    let ws = Arc::new(Workspace {
        id: id.clone(),
        profile,
        grafana_addr: addr,
        scheme: world.scheme,
        desc: Mutex::new(desc),
        accounts: Mutex::new(Accounts::default()),
        grafana: Mutex::new(Store::default()),
    });
    world.workspaces.write().expect("lock").insert(id.clone(), ws.clone());
    serve(id);
    Ok(ws)
}

/// The description as DescribeWorkspace returns it (without our internal `configuration`).
fn description(ws: &Workspace) -> Value {
    let mut d = ws.desc.lock().expect("lock").clone();
    d.remove("configuration");
    for k in ["notificationDestinations", "organizationalUnits"] {
        if d.get(k).and_then(Value::as_array).is_some_and(Vec::is_empty) {
            d.remove(k);
        }
    }
    Value::Object(d)
}

/// Moves a workspace to `to` after `after`, as AMG finishes an operation asynchronously.
fn settle(ws: Arc<Workspace>, to: &'static str, after: Duration) {
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        let mut d = ws.desc.lock().expect("lock");
        d.insert("status".into(), json!(to));
        d.insert("modified".into(), json!(now_epoch()));
    });
}

/// How long a delete takes.
const SETTLE: Duration = Duration::from_millis(800);

/// Create/UpdateWorkspace request members → WorkspaceDescription members.
const WORKSPACE_MEMBERS: &[(&str, &str)] = &[
    ("workspaceName", "name"),
    ("workspaceDescription", "description"),
    ("workspaceDataSources", "dataSources"),
    ("workspaceNotificationDestinations", "notificationDestinations"),
    ("workspaceOrganizationalUnits", "organizationalUnits"),
    ("workspaceRoleArn", "workspaceRoleArn"),
    ("organizationRoleName", "organizationRoleName"),
    ("stackSetName", "stackSetName"),
    ("vpcConfiguration", "vpcConfiguration"),
    ("networkAccessControl", "networkAccessControl"),
];

/// Members only CreateWorkspace takes (tags and configuration have operations of their own).
const CREATE_ONLY_MEMBERS: &[(&str, &str)] =
    &[("tags", "tags"), ("configuration", "configuration"), ("kmsKeyId", "kmsKeyId")];

fn copy_members(
    from: &serde_json::Map<String, Value>,
    to: &mut serde_json::Map<String, Value>,
    members: &[(&str, &str)],
) {
    for (src, dst) in members {
        if let Some(v) = from.get(*src) {
            to.insert((*dst).into(), v.clone());
        }
    }
}

pub(super) async fn create_workspace(State(world): State<Shared>, State(host): State<Arc<dyn Host>>, body: Bytes) -> R {
    let b = body_json(&body)?;
    let access = require_str(&b, "accountAccessType")?;
    if !["CURRENT_ACCOUNT", "ORGANIZATION"].contains(&access) {
        return Err(validation("accountAccessType must be CURRENT_ACCOUNT or ORGANIZATION"));
    }
    let perm = require_str(&b, "permissionType")?;
    if !["CUSTOMER_MANAGED", "SERVICE_MANAGED"].contains(&perm) {
        return Err(validation("permissionType must be CUSTOMER_MANAGED or SERVICE_MANAGED"));
    }
    let providers = b.get("authenticationProviders").and_then(Value::as_array).cloned().unwrap_or_default();
    if providers.is_empty() || providers.iter().any(|p| !matches!(p.as_str(), Some("AWS_SSO" | "SAML"))) {
        return Err(validation("authenticationProviders must list AWS_SSO and/or SAML"));
    }
    let profile = match str_field(&b, "grafanaVersion") {
        None => world.default_profile,
        Some(v) => Profile::parse(v).ok_or_else(|| {
            validation(&format!("grafanaVersion {v} is not supported by amg-local; use 10.4 or 12.4"))
        })?,
    };
    if let Some(name) = str_field(&b, "workspaceName") {
        let taken = world
            .workspaces
            .read()
            .expect("lock")
            .values()
            .any(|w| w.desc.lock().expect("lock").get("name").and_then(Value::as_str) == Some(name));
        if taken {
            return Err(conflict(&format!("A workspace named {name} already exists"), name, "WORKSPACE"));
        }
    }
    let mut desc = serde_json::Map::new();
    desc.insert("accountAccessType".into(), json!(access));
    desc.insert("permissionType".into(), json!(perm));
    desc.insert("authentication".into(), json!({ "providers": providers }));
    copy_members(&b, &mut desc, CREATE_ONLY_MEMBERS);
    copy_members(&b, &mut desc, WORKSPACE_MEMBERS);
    let ws = new_workspace(&world, host.as_ref(), profile, desc)
        .map_err(|e| aws_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalServerException", &e, None))?;
    settle(ws.clone(), "ACTIVE", world.settle);
    ok(StatusCode::ACCEPTED, json!({ "workspace": description(&ws) }))
}

pub(super) async fn describe_workspace(State(world): State<Shared>, Path(id): Path<String>) -> R {
    let ws = workspace(&world, &id)?;
    ok(StatusCode::OK, json!({ "workspace": description(&ws) }))
}

pub(super) async fn list_workspaces(State(world): State<Shared>) -> R {
    let list: Vec<Value> = world
        .workspaces
        .read()
        .expect("lock")
        .values()
        .map(|ws| {
            let d = ws.desc.lock().expect("lock");
            let mut s = serde_json::Map::new();
            for k in ["id", "name", "description", "created", "modified", "endpoint", "grafanaVersion", "status", "notificationDestinations", "tags", "licenseType"] {
                if let Some(v) = d.get(k) {
                    s.insert(k.into(), v.clone());
                }
            }
            s.insert("authentication".into(), json!({"providers": d.get("authentication").and_then(|a| a.get("providers")).cloned().unwrap_or(json!([]))}));
            Value::Object(s)
        })
        .collect();
    ok(StatusCode::OK, json!({ "workspaces": list }))
}

pub(super) async fn update_workspace(State(world): State<Shared>, Path(id): Path<String>, body: Bytes) -> R {
    let ws = workspace(&world, &id)?;
    let b = body_json(&body)?;
    {
        let mut d = ws.desc.lock().expect("lock");
        copy_members(&b, &mut d, &[("accountAccessType", "accountAccessType"), ("permissionType", "permissionType")]);
        copy_members(&b, &mut d, WORKSPACE_MEMBERS);
        for (flag, key) in [
            ("removeVpcConfiguration", "vpcConfiguration"),
            ("removeNetworkAccessConfiguration", "networkAccessControl"),
        ] {
            if b.get(flag).and_then(Value::as_bool) == Some(true) {
                d.remove(key);
            }
        }
        d.insert("status".into(), json!("UPDATING"));
        d.insert("modified".into(), json!(now_epoch()));
    }
    settle(ws.clone(), "ACTIVE", world.settle);
    ok(StatusCode::ACCEPTED, json!({ "workspace": description(&ws) }))
}

pub(super) async fn delete_workspace(State(world): State<Shared>, Path(id): Path<String>) -> R {
    let ws = workspace(&world, &id)?;
    ws.desc.lock().expect("lock").insert("status".into(), json!("DELETING"));
    let out = description(&ws);
    let w = world.clone();
    tokio::spawn(async move {
        tokio::time::sleep(SETTLE).await;
        w.workspaces.write().expect("lock").remove(&id);
        w.credentials.lock().expect("lock").retain(|_, c| match c {
            Credential::Token { workspace, .. } | Credential::ApiKey { workspace, .. } => workspace != &id,
        });
    });
    ok(StatusCode::ACCEPTED, json!({ "workspace": out }))
}

pub(super) async fn describe_configuration(State(world): State<Shared>, Path(id): Path<String>) -> R {
    let ws = workspace(&world, &id)?;
    let d = ws.desc.lock().expect("lock");
    ok(
        StatusCode::OK,
        json!({ "configuration": d.get("configuration").cloned().unwrap_or(json!("{}")), "grafanaVersion": ws.profile.label() }),
    )
}

pub(super) async fn update_configuration(State(world): State<Shared>, Path(id): Path<String>, body: Bytes) -> R {
    let ws = workspace(&world, &id)?;
    let b = body_json(&body)?;
    let conf = require_str(&b, "configuration")?;
    if serde_json::from_str::<serde_json::Map<String, Value>>(conf).is_err() {
        return Err(validation("configuration must be a JSON object"));
    }
    if let Some(v) = str_field(&b, "grafanaVersion")
        && v != ws.profile.label()
    {
        return Err(validation("amg-local cannot change a workspace's Grafana version"));
    }
    ws.desc.lock().expect("lock").insert("configuration".into(), json!(conf));
    ok(StatusCode::ACCEPTED, json!({}))
}

pub(super) async fn describe_authentication(State(world): State<Shared>, Path(id): Path<String>) -> R {
    let ws = workspace(&world, &id)?;
    let auth = ws.desc.lock().expect("lock").get("authentication").cloned().unwrap_or(json!({"providers": []}));
    let mut out = auth.clone();
    if auth["providers"].as_array().is_some_and(|p| p.iter().any(|x| x == "AWS_SSO")) {
        out["awsSso"] = json!({ "ssoClientId": format!("sso-{}", ws.id) });
    }
    if auth["providers"].as_array().is_some_and(|p| p.iter().any(|x| x == "SAML")) && out.get("saml").is_none() {
        out["saml"] = json!({ "status": "NOT_CONFIGURED" });
    }
    ok(StatusCode::OK, json!({ "authentication": out }))
}

pub(super) async fn update_authentication(State(world): State<Shared>, Path(id): Path<String>, body: Bytes) -> R {
    let ws = workspace(&world, &id)?;
    let b = body_json(&body)?;
    let providers =
        b.get("authenticationProviders").cloned().ok_or_else(|| validation("authenticationProviders is required"))?;
    let mut auth = json!({ "providers": providers });
    if let Some(saml) = b.get("samlConfiguration") {
        auth["saml"] = json!({ "configuration": saml, "status": "CONFIGURED" });
    }
    ws.desc.lock().expect("lock").insert("authentication".into(), auth.clone());
    ok(StatusCode::OK, json!({ "authentication": auth }))
}

// ---- tags ----

fn workspace_by_arn(world: &Shared, arn: &str) -> Result<Arc<Workspace>, Response> {
    let id = arn.rsplit('/').next().unwrap_or_default();
    if !arn.starts_with(&format!("arn:aws:grafana:{REGION}:{ACCOUNT}:/workspaces/")) {
        return Err(validation(&format!("{arn} is not a workspace ARN")));
    }
    workspace(world, id)
}

pub(super) async fn list_tags(State(world): State<Shared>, Path(arn): Path<String>) -> R {
    let ws = workspace_by_arn(&world, &arn)?;
    let tags = ws.desc.lock().expect("lock").get("tags").cloned().unwrap_or(json!({}));
    ok(StatusCode::OK, json!({ "tags": tags }))
}

pub(super) async fn tag_resource(State(world): State<Shared>, Path(arn): Path<String>, body: Bytes) -> R {
    let ws = workspace_by_arn(&world, &arn)?;
    let b = body_json(&body)?;
    let new = b.get("tags").and_then(Value::as_object).cloned().ok_or_else(|| validation("tags is required"))?;
    let mut d = ws.desc.lock().expect("lock");
    let tags = d.entry("tags").or_insert(json!({}));
    for (k, v) in new {
        tags[k] = v;
    }
    ok(StatusCode::OK, json!({}))
}

pub(super) async fn untag_resource(
    State(world): State<Shared>,
    Path(arn): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> R {
    let ws = workspace_by_arn(&world, &arn)?;
    let mut d = ws.desc.lock().expect("lock");
    if let Some(Value::Object(tags)) = d.get_mut("tags") {
        for (k, v) in q {
            if k == "tagKeys" {
                tags.remove(&v);
            }
        }
    }
    ok(StatusCode::OK, json!({}))
}
