//! One workspace's Grafana HTTP API, with the semantics of `grafana-api.md` §1–5 for the
//! 10.4 and 12.4 profiles: folders, dashboards (save with version checks), search, data
//! sources, frontend settings and the health probes as AMG answers them. Bodies are read as bytes and parsed here, so malformed JSON gets Grafana's
//! `400 bad request data` and bodies over 32 MiB get 413.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};

use crate::Shared;
use crate::world::{
    Credential, DashRec, DsRec, FolderRec, Profile, Role, Store, VersionRec, Workspace, now_epoch, now_rfc3339,
};

/// Grafana's request-body limit as this emulator enforces it.
const MAX_BODY: usize = 32 << 20;

#[derive(Clone)]
struct Ctx {
    world: Shared,
    ws_id: String,
}

/// Who is calling: from the bearer token.
#[derive(Clone)]
struct Caller {
    role: Role,
    login: String,
}

pub fn router(world: Shared, ws_id: String) -> Router {
    let ctx = Ctx { world, ws_id };
    Router::new()
        .route("/api/folders", get(list_folders).post(create_folder))
        .route("/api/folders/{uid}", get(get_folder).put(update_folder).delete(delete_folder))
        .route("/api/folders/{uid}/move", post(move_folder))
        .route("/api/dashboards/db", post(save_dashboard))
        .route("/api/dashboards/uid/{uid}", get(get_dashboard).delete(delete_dashboard))
        .route("/api/dashboards/uid/{uid}/versions", get(list_versions))
        .route("/api/dashboards/uid/{uid}/versions/{version}", get(get_version))
        .route("/api/dashboards/uid/{uid}/restore", post(restore_version))
        .route("/api/search", get(search))
        .route("/api/datasources", get(list_datasources).post(add_datasource))
        .route("/api/datasources/uid/{uid}", get(get_datasource).put(update_datasource).delete(delete_datasource))
        .route("/api/datasources/name/{name}", get(get_datasource_by_name).delete(delete_datasource_by_name))
        .route("/api/frontend/settings", get(frontend_settings))
        .layer(axum::middleware::from_fn_with_state(ctx.clone(), authenticate))
        .route("/api/health", get(api_health_refused))
        .route("/healthz", get(healthz))
        .fallback(|| async { gerr(StatusCode::NOT_FOUND, json!({"message": "Not found"})) })
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(ctx)
}

// ---- envelopes ----

type R = Result<Response, Response>;

fn gerr(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// `{"message": m}`
fn msg(status: StatusCode, m: &str) -> Response {
    gerr(status, json!({ "message": m }))
}

/// `{"message": m, "traceID": ""}` (handler errors that carry an underlying error).
fn msg_trace(status: StatusCode, m: &str) -> Response {
    gerr(status, json!({ "message": m, "traceID": "" }))
}

fn ok(v: Value) -> R {
    Ok(axum::Json(v).into_response())
}

fn body(b: Result<Bytes, BytesRejection>) -> Result<Map<String, Value>, Response> {
    let b = b.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            msg(StatusCode::PAYLOAD_TOO_LARGE, "request body too large")
        } else {
            msg_trace(StatusCode::BAD_REQUEST, "bad request data")
        }
    })?;
    match serde_json::from_slice::<Value>(&b) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(msg_trace(StatusCode::BAD_REQUEST, "bad request data")),
    }
}

impl Ctx {
    fn ws(&self) -> Result<Arc<Workspace>, Response> {
        self.world.workspace(&self.ws_id).ok_or_else(|| msg(StatusCode::NOT_FOUND, "workspace not found"))
    }
}

// ---- auth ----

async fn authenticate(State(ctx): State<Ctx>, mut req: Request, next: Next) -> Response {
    let Some(token) = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
    else {
        return gerr(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Unauthorized", "messageId": "auth.unauthorized", "statusCode": 401, "traceID": ""}),
        );
    };
    let invalid = || {
        gerr(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Invalid API key", "messageId": "api-key.invalid", "statusCode": 401, "traceID": ""}),
        )
    };
    let expired = || {
        gerr(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Expired API key", "messageId": "api-key.expired", "statusCode": 401, "traceID": ""}),
        )
    };
    let cred = ctx.world.credentials.lock().expect("lock").get(&token).cloned();
    let Ok(ws) = ctx.ws() else { return invalid() };
    let now = now_epoch();
    let caller = match cred {
        Some(Credential::Token { workspace, sa_id, token_id }) if workspace == ctx.ws_id => {
            let acc = ws.accounts.lock().expect("lock");
            match acc.service_accounts.get(&sa_id).and_then(|sa| sa.tokens.get(&token_id).map(|t| (sa, t))) {
                None => return invalid(),
                Some((_, t)) if t.expires <= now => return expired(),
                Some((sa, _)) => Caller { role: sa.role, login: sa.login.clone() },
            }
        }
        Some(Credential::ApiKey { workspace, name }) if workspace == ctx.ws_id => {
            let acc = ws.accounts.lock().expect("lock");
            match acc.api_keys.get(&name) {
                None => return invalid(),
                Some(k) if k.expires <= now => return expired(),
                Some(k) => Caller { role: k.role, login: format!("api-key-{name}") },
            }
        }
        _ => return invalid(),
    };
    req.extensions_mut().insert(caller);
    next.run(req).await
}

fn rbac_denied(permission: &str) -> Response {
    gerr(
        StatusCode::FORBIDDEN,
        json!({
            "title": "Access denied",
            "message": format!("You'll need additional permissions to perform this action. Permissions needed: {permission}"),
            "accessErrorId": "ACE0000000001"
        }),
    )
}

/// AMG's front door refuses Grafana's `/api/health` to everyone, admin tokens included:
/// `400` with the plain text `Bad Request: Not allowed.` (aws/amazon-managed-grafana-roadmap
/// issue 41; the body as grafana-backup-tool PR 184 and grafana-operator issue 1569 quote it).
async fn api_health_refused() -> Response {
    plain(StatusCode::BAD_REQUEST, "Bad Request: Not allowed.")
}

/// Grafana's liveness probe (`healthzHandler` in `pkg/api/http_server.go`): `200`, the two
/// bytes `Ok`, no authentication; AMG lets it through (AWS staff in grafana-wtf issue 141).
async fn healthz() -> Response {
    plain(StatusCode::OK, "Ok")
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (status, [(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

/// `GET /api/frontend/settings`, the way AMG tells a client its Grafana version (AWS staff in
/// aws/amazon-managed-grafana-roadmap issue 41). Grafana's `FrontendSettingsDTO`
/// (`pkg/api/dtos/frontend_settings.go`) cut to what a client of this API reads: `buildInfo`
/// whole, and the settings that describe this workspace. Needs a signed-in caller, as AMG has
/// no anonymous access.
async fn frontend_settings(State(ctx): State<Ctx>) -> R {
    let ws = ctx.ws()?;
    let version = ws.profile.full_version();
    let nested = ws.profile.nested_folders();
    ok(json!({
        "appUrl": format!("{}/", ws.grafana_url()),
        "appSubUrl": "",
        "defaultDatasource": "",
        "datasources": {},
        "authProxyEnabled": false,
        "ldapEnabled": false,
        "sigV4AuthEnabled": true,
        "samlEnabled": false,
        "anonymousEnabled": false,
        "unifiedAlertingEnabled": true,
        "featureToggles": { "nestedFolders": nested },
        "buildInfo": {
            "hideVersion": false,
            "version": version,
            "versionString": format!("Grafana v{version} (amg-local)"),
            "commit": "amg-local",
            "commitShort": "amg-local",
            "buildstamp": 0,
            "edition": "Open Source",
            "latestVersion": "",
            "hasUpdate": false,
            "env": "production"
        }
    }))
}

// ---- shared rules ----

fn check_uid(uid: &str) -> Result<(), &'static str> {
    if !uid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err("uid contains illegal characters");
    }
    if uid.len() > 40 {
        return Err("uid too long, max 40 characters");
    }
    Ok(())
}

/// Grafana's slug: lower case, runs of anything but letters and digits become one `-`.
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in title.trim().to_lowercase().chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

fn folder_url(f: &FolderRec) -> String {
    format!("/dashboards/f/{}/{}", f.uid, slugify(&f.title))
}

// ---- folders ----

fn folder_json(store: &Store, f: &FolderRec, profile: Profile, caller: Option<&Caller>) -> Value {
    let can = caller.is_none_or(|c| c.role >= Role::Editor);
    let admin = caller.is_none_or(|c| c.role == Role::Admin);
    let mut v = json!({
        "id": f.id, "uid": f.uid, "orgId": 1, "title": f.title, "url": folder_url(f), "hasAcl": false,
        "canSave": can, "canEdit": can, "canAdmin": admin, "canDelete": can,
        "createdBy": f.created_by, "created": f.created, "updatedBy": f.updated_by, "updated": f.updated, "version": f.version,
    });
    if profile.nested_folders() {
        if let Some(p) = &f.parent_uid {
            v["parentUid"] = json!(p);
            let mut parents = Vec::new();
            let mut cur = Some(p.clone());
            while let Some(uid) = cur {
                let Some(pf) = store.folders.get(&uid) else {
                    break;
                };
                parents.push(pf.clone());
                cur = pf.parent_uid.clone();
            }
            parents.reverse();
            v["parents"] = Value::Array(
                parents
                    .iter()
                    .map(|pf| folder_json(store, &FolderRec { parent_uid: None, ..pf.clone() }, profile, caller))
                    .collect(),
            );
        }
    }
    v
}

fn folder_not_found() -> Response {
    gerr(StatusCode::NOT_FOUND, json!({"message": "folder not found", "status": "not-found"}))
}

fn depth(store: &Store, uid: &str) -> usize {
    let mut d = 0;
    let mut cur = store.folders.get(uid).and_then(|f| f.parent_uid.clone());
    while let Some(p) = cur {
        d += 1;
        cur = store.folders.get(&p).and_then(|f| f.parent_uid.clone());
    }
    d
}

const MAX_FOLDER_DEPTH: usize = 4;

async fn create_folder(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    b: Result<Bytes, BytesRejection>,
) -> R {
    let b = body(b)?;
    let ws = ctx.ws()?;
    if caller.role < Role::Editor {
        return Err(msg_trace(StatusCode::FORBIDDEN, "Access denied"));
    }
    let title = b.get("title").and_then(Value::as_str).unwrap_or_default().trim().to_string();
    if title.is_empty() {
        return Err(msg(StatusCode::BAD_REQUEST, "folder title cannot be empty"));
    }
    let uid = b.get("uid").and_then(Value::as_str).unwrap_or_default().trim().to_string();
    check_uid(&uid).map_err(|m| msg(StatusCode::BAD_REQUEST, m))?;
    if title.eq_ignore_ascii_case("general") {
        return Err(msg(StatusCode::BAD_REQUEST, "A folder with that name already exists"));
    }
    let parent = if ws.profile.nested_folders() {
        b.get("parentUid").and_then(Value::as_str).filter(|p| !p.is_empty()).map(str::to_string)
    } else {
        None
    };
    let mut g = ws.grafana.lock().expect("lock");
    if !uid.is_empty() && (g.folders.contains_key(&uid) || g.dashboards.contains_key(&uid)) {
        return Err(msg(StatusCode::CONFLICT, "a folder/dashboard with the same uid already exists"));
    }
    if ws.profile.unique_titles()
        && g.folders.values().any(|f| f.parent_uid.is_none() && slugify(&f.title) == slugify(&title))
    {
        return Err(msg(
            StatusCode::CONFLICT,
            "a folder or dashboard in the general folder with the same name already exists",
        ));
    }
    if let Some(p) = &parent {
        if !g.folders.contains_key(p) {
            return Err(folder_not_found());
        }
        if depth(&g, p) + 1 >= MAX_FOLDER_DEPTH {
            return Err(msg(StatusCode::BAD_REQUEST, "Maximum nested folder depth reached"));
        }
    }
    let uid = if uid.is_empty() { ctx.world.new_uid() } else { uid };
    let now = now_rfc3339();
    let f = FolderRec {
        id: g.next_id(),
        uid: uid.clone(),
        title,
        description: b.get("description").and_then(Value::as_str).unwrap_or_default().to_string(),
        parent_uid: parent,
        version: 1,
        created: now.clone(),
        updated: now,
        created_by: caller.login.clone(),
        updated_by: caller.login.clone(),
    };
    g.folders.insert(uid, f.clone());
    ok(folder_json(&g, &f, ws.profile, Some(&caller)))
}

async fn get_folder(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(uid): Path<String>,
) -> R {
    let ws = ctx.ws()?;
    let g = ws.grafana.lock().expect("lock");
    let f = g.folders.get(&uid).ok_or_else(folder_not_found)?;
    ok(folder_json(&g, f, ws.profile, Some(&caller)))
}

async fn list_folders(State(ctx): State<Ctx>, RawQuery(q): RawQuery) -> R {
    let ws = ctx.ws()?;
    let q = query_pairs(q.as_deref());
    let parent = first(&q, "parentUid").filter(|p| !p.is_empty());
    let limit: usize = first(&q, "limit").and_then(|l| l.parse().ok()).unwrap_or(1000);
    let page: usize = first(&q, "page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let g = ws.grafana.lock().expect("lock");
    let mut list: Vec<&FolderRec> =
        g.folders.values().filter(|f| !ws.profile.nested_folders() || f.parent_uid.as_deref() == parent).collect();
    list.sort_by_key(|f| f.title.to_lowercase());
    let out: Vec<Value> = list
        .into_iter()
        .skip((page - 1) * limit)
        .take(limit)
        .map(|f| {
            let mut v = json!({"id": f.id, "uid": f.uid, "title": f.title});
            if let (true, Some(p)) = (ws.profile.nested_folders(), &f.parent_uid) {
                v["parentUid"] = json!(p);
            }
            v
        })
        .collect();
    ok(Value::Array(out))
}

async fn update_folder(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(uid): Path<String>,
    b: Result<Bytes, BytesRejection>,
) -> R {
    let b = body(b)?;
    let ws = ctx.ws()?;
    if caller.role < Role::Editor {
        return Err(msg_trace(StatusCode::FORBIDDEN, "Access denied"));
    }
    let mut g = ws.grafana.lock().expect("lock");
    let cur = g.folders.get(&uid).cloned().ok_or_else(folder_not_found)?;
    let title = b.get("title").and_then(Value::as_str).map(|t| t.trim().to_string());
    if title.as_deref() == Some("") {
        return Err(msg(StatusCode::BAD_REQUEST, "folder title cannot be empty"));
    }
    let overwrite = b.get("overwrite").and_then(Value::as_bool).unwrap_or(false);
    if ws.profile == Profile::V10_4 && !overwrite {
        let v = b.get("version").and_then(Value::as_i64).unwrap_or(0);
        if v != cur.version {
            return Err(gerr(
                StatusCode::PRECONDITION_FAILED,
                json!({"message": "the folder has been changed by someone else", "status": "version-mismatch"}),
            ));
        }
    }
    let mut f = cur;
    if let Some(t) = title {
        if ws.profile.unique_titles()
            && g.folders.values().any(|o| o.uid != f.uid && o.parent_uid.is_none() && slugify(&o.title) == slugify(&t))
        {
            return Err(msg(
                StatusCode::CONFLICT,
                "a folder or dashboard in the general folder with the same name already exists",
            ));
        }
        f.title = t;
    }
    if let Some(d) = b.get("description").and_then(Value::as_str) {
        f.description = d.to_string();
    }
    f.version += 1;
    f.updated = now_rfc3339();
    f.updated_by = caller.login.clone();
    g.folders.insert(uid, f.clone());
    ok(folder_json(&g, &f, ws.profile, Some(&caller)))
}

async fn move_folder(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(uid): Path<String>,
    b: Result<Bytes, BytesRejection>,
) -> R {
    let b = body(b)?;
    let ws = ctx.ws()?;
    if !ws.profile.nested_folders() {
        return Err(msg(StatusCode::NOT_FOUND, "Not found"));
    }
    if caller.role < Role::Editor {
        return Err(msg_trace(StatusCode::FORBIDDEN, "Access denied"));
    }
    let parent = b.get("parentUid").and_then(Value::as_str).filter(|p| !p.is_empty()).map(str::to_string);
    let mut g = ws.grafana.lock().expect("lock");
    let mut f = g.folders.get(&uid).cloned().ok_or_else(folder_not_found)?;
    if let Some(p) = &parent {
        if !g.folders.contains_key(p) {
            return Err(folder_not_found());
        }
        // Moving under itself or one of its descendants is a cycle.
        let mut cur = Some(p.clone());
        while let Some(c) = cur {
            if c == uid {
                return Err(msg(StatusCode::BAD_REQUEST, "Circular reference detected"));
            }
            cur = g.folders.get(&c).and_then(|x| x.parent_uid.clone());
        }
        if depth(&g, p) + 1 >= MAX_FOLDER_DEPTH {
            return Err(msg(StatusCode::BAD_REQUEST, "Maximum nested folder depth reached"));
        }
    }
    f.parent_uid = parent;
    f.version += 1;
    f.updated = now_rfc3339();
    f.updated_by = caller.login.clone();
    g.folders.insert(uid, f.clone());
    ok(folder_json(&g, &f, ws.profile, Some(&caller)))
}

async fn delete_folder(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(uid): Path<String>,
) -> R {
    let ws = ctx.ws()?;
    if caller.role < Role::Editor {
        return Err(msg_trace(StatusCode::FORBIDDEN, "Access denied"));
    }
    let mut g = ws.grafana.lock().expect("lock");
    if !g.folders.contains_key(&uid) {
        return Err(folder_not_found());
    }
    // Cascade: sub-folders (nested) and every dashboard in any of them.
    let mut doomed = vec![uid.clone()];
    let mut i = 0;
    while i < doomed.len() {
        let cur = doomed[i].clone();
        doomed.extend(
            g.folders.values().filter(|f| f.parent_uid.as_deref() == Some(cur.as_str())).map(|f| f.uid.clone()),
        );
        i += 1;
    }
    for f in &doomed {
        g.folders.remove(f);
    }
    let dashes: Vec<String> = g
        .dashboards
        .values()
        .filter(|d| d.folder_uid.as_ref().is_some_and(|f| doomed.contains(f)))
        .map(|d| d.uid.clone())
        .collect();
    for d in dashes {
        g.dashboards.remove(&d);
        g.versions.remove(&d);
    }
    ok(json!({"message": "Folder deleted"}))
}

// ---- dashboards ----

fn dash_status(status: StatusCode, m: &str, s: &str) -> Response {
    gerr(status, json!({"message": m, "status": s}))
}

async fn save_dashboard(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    b: Result<Bytes, BytesRejection>,
) -> R {
    let b = body(b)?;
    let ws = ctx.ws()?;
    let Some(Value::Object(mut dash)) = b.get("dashboard").cloned() else {
        return Err(msg_trace(StatusCode::BAD_REQUEST, "bad request data"));
    };
    if caller.role < Role::Editor {
        return Err(msg_trace(StatusCode::FORBIDDEN, "Access denied to save dashboard"));
    }
    if b.get("isFolder").and_then(Value::as_bool) == Some(true) {
        return Err(msg(StatusCode::BAD_REQUEST, "Use folders endpoint for saving folders."));
    }
    let overwrite = b.get("overwrite").and_then(Value::as_bool).unwrap_or(false);
    let message = b.get("message").and_then(Value::as_str).unwrap_or_default().to_string();
    let title = dash.get("title").and_then(Value::as_str).unwrap_or_default().trim().to_string();
    if title.is_empty() {
        return Err(dash_status(StatusCode::BAD_REQUEST, "Dashboard title cannot be empty", "empty-name"));
    }
    if ws.profile == Profile::V12_4 && title.chars().count() > 5000 {
        return Err(dash_status(
            StatusCode::BAD_REQUEST,
            "Dashboard title cannot contain more than 5 000 characters",
            "title-too-long",
        ));
    }
    let uid = dash.get("uid").and_then(Value::as_str).unwrap_or_default().trim().to_string();
    check_uid(&uid).map_err(|m| msg(StatusCode::BAD_REQUEST, m))?;
    if message.chars().count() > 500 {
        return Err(msg(StatusCode::BAD_REQUEST, "message too long, max 500 characters"));
    }
    let folder_uid = b.get("folderUid").and_then(Value::as_str).filter(|f| !f.is_empty()).map(str::to_string);
    let mut g = ws.grafana.lock().expect("lock");
    if let Some(f) = &folder_uid {
        if !g.folders.contains_key(f) {
            return Err(match ws.profile {
                Profile::V10_4 => msg_trace(StatusCode::BAD_REQUEST, "Folder not found"),
                Profile::V12_4 => msg(StatusCode::BAD_REQUEST, "folder not found"),
            });
        }
    }
    let id = dash.get("id").and_then(Value::as_i64).unwrap_or(0);
    let by_id = if id > 0 {
        match g.dashboards.values().find(|d| d.id == id) {
            Some(d) => Some(d.uid.clone()),
            None => {
                return Err(dash_status(StatusCode::NOT_FOUND, "Dashboard not found", "not-found"));
            }
        }
    } else {
        None
    };
    let by_uid = (!uid.is_empty()).then(|| g.dashboards.get(&uid).map(|d| d.uid.clone())).flatten();
    if let (Some(a), Some(b)) = (&by_id, &by_uid) {
        if a != b {
            return Err(msg(StatusCode::BAD_REQUEST, "A dashboard with the same uid already exists"));
        }
    }
    if !uid.is_empty() && by_uid.is_none() && g.folders.contains_key(&uid) {
        return Err(msg(StatusCode::BAD_REQUEST, "Dashboard cannot be changed to a folder"));
    }
    let mut existing = by_id.or(by_uid).and_then(|u| g.dashboards.get(&u).cloned());
    if let Some(e) = &existing {
        let v = dash.get("version").and_then(Value::as_i64).unwrap_or(0);
        if v != e.version && !overwrite {
            return Err(dash_status(
                StatusCode::PRECONDITION_FAILED,
                "The dashboard has been changed by someone else",
                "version-mismatch",
            ));
        }
        if let (Some(p), false) = (&e.plugin_id, overwrite) {
            return Err(dash_status(
                StatusCode::PRECONDITION_FAILED,
                &format!("The dashboard belongs to plugin {p}."),
                "plugin-dashboard",
            ));
        }
    }
    if ws.profile.unique_titles() {
        let slug = slugify(&title);
        let same_name = g
            .dashboards
            .values()
            .find(|d| {
                d.folder_uid == folder_uid
                    && slugify(&d.title) == slug
                    && existing.as_ref().is_none_or(|e| e.uid != d.uid)
            })
            .cloned();
        if let Some(other) = same_name {
            if !overwrite {
                return Err(dash_status(
                    StatusCode::PRECONDITION_FAILED,
                    "A dashboard with the same name in the folder already exists",
                    "name-exists",
                ));
            }
            // Grafana 10.4 quirk: overwrite takes over the dashboard that has the name.
            existing = Some(other);
        }
        if folder_uid.is_none() && g.folders.values().any(|f| f.parent_uid.is_none() && slugify(&f.title) == slug) {
            return Err(dash_status(
                StatusCode::BAD_REQUEST,
                "Dashboard name cannot be the same as folder",
                "name-match",
            ));
        }
    }
    let now = now_rfc3339();
    let (rec_id, rec_uid, version, created, created_by, parent_version) = match &existing {
        Some(e) => (e.id, e.uid.clone(), e.version + 1, e.created.clone(), e.created_by.clone(), e.version),
        None => {
            let uid = if uid.is_empty() { ctx.world.new_uid() } else { uid };
            (g.next_id(), uid, 1, now.clone(), caller.login.clone(), 0)
        }
    };
    if let Some(e) = &existing {
        if e.uid != rec_uid {
            g.dashboards.remove(&e.uid);
        }
    }
    dash.insert("id".into(), json!(rec_id));
    dash.insert("uid".into(), json!(rec_uid));
    dash.insert("version".into(), json!(version));
    dash.insert("title".into(), json!(title));
    let rec = DashRec {
        id: rec_id,
        uid: rec_uid.clone(),
        title: title.clone(),
        folder_uid: folder_uid.clone(),
        data: dash.clone(),
        version,
        created,
        updated: now.clone(),
        created_by,
        updated_by: caller.login.clone(),
        plugin_id: existing.as_ref().and_then(|e| e.plugin_id.clone()),
    };
    g.dashboards.insert(rec_uid.clone(), rec);
    let vid = g.next_id();
    g.versions.entry(rec_uid.clone()).or_default().push(VersionRec {
        id: vid,
        version,
        parent_version,
        restored_from: 0,
        created: now,
        created_by: caller.login.clone(),
        message,
        data: dash,
    });
    let slug = slugify(&title);
    let mut out = json!({"id": rec_id, "slug": slug, "status": "success", "uid": rec_uid, "url": format!("/d/{rec_uid}/{slug}"), "version": version});
    if ws.profile != Profile::V10_4 {
        out["folderUid"] = json!(folder_uid.unwrap_or_default());
    }
    ok(out)
}

fn dashboard_not_found() -> Response {
    msg_trace(StatusCode::NOT_FOUND, "Dashboard not found")
}

async fn get_dashboard(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(uid): Path<String>,
) -> R {
    let ws = ctx.ws()?;
    let g = ws.grafana.lock().expect("lock");
    let d = g.dashboards.get(&uid).ok_or_else(dashboard_not_found)?;
    let mut data = d.data.clone();
    data.insert("version".into(), json!(d.version));
    data.sort_keys();
    let folder = d.folder_uid.as_ref().and_then(|f| g.folders.get(f));
    let can = caller.role >= Role::Editor;
    let slug = slugify(&d.title);
    let mut meta = json!({
        "type": "db", "canSave": can, "canEdit": can, "canAdmin": caller.role == Role::Admin, "canStar": true, "canDelete": can,
        "slug": slug, "url": format!("/d/{}/{}", d.uid, slug), "expires": "0001-01-01T00:00:00Z",
        "created": d.created, "updated": d.updated, "updatedBy": d.updated_by, "createdBy": d.created_by, "version": d.version,
        "hasAcl": false, "isFolder": false,
        "folderId": folder.map_or(0, |f| f.id), "folderUid": folder.map_or(String::new(), |f| f.uid.clone()),
        "folderTitle": folder.map_or("General".to_string(), |f| f.title.clone()), "folderUrl": folder.map_or(String::new(), folder_url),
        "provisioned": false, "provisionedExternalId": "",
        "annotationsPermissions": {"dashboard": {"canAdd": can, "canEdit": can, "canDelete": can}, "organization": {"canAdd": can, "canEdit": can, "canDelete": can}},
    });
    if ws.profile == Profile::V10_4 {
        meta["publicDashboardAccessToken"] = json!("");
    }
    meta["publicDashboardUid"] = json!("");
    meta["publicDashboardEnabled"] = json!(false);
    ok(json!({"dashboard": Value::Object(data), "meta": meta}))
}

async fn delete_dashboard(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(uid): Path<String>,
) -> R {
    let ws = ctx.ws()?;
    if caller.role < Role::Editor {
        return Err(msg_trace(StatusCode::FORBIDDEN, "Access denied to delete dashboard"));
    }
    let mut g = ws.grafana.lock().expect("lock");
    if g.folders.contains_key(&uid) {
        return Err(msg(StatusCode::BAD_REQUEST, "Use folders endpoint for deleting folders."));
    }
    let d = g.dashboards.remove(&uid).ok_or_else(dashboard_not_found)?;
    g.versions.remove(&uid);
    let m = format!("Dashboard {} deleted", d.title);
    ok(match ws.profile {
        Profile::V10_4 => json!({"id": d.id, "message": m, "title": d.title}),
        Profile::V12_4 => json!({"message": m, "title": d.title, "uid": d.uid}),
    })
}

fn version_json(d: &DashRec, v: &VersionRec, with_data: bool) -> Value {
    let message = if v.parent_version == 0 && v.message.is_empty() {
        "Initial save".to_string()
    } else if v.restored_from > 0 {
        format!("Restored from version {}", v.restored_from)
    } else {
        v.message.clone()
    };
    json!({
        "id": v.id, "dashboardId": d.id, "uid": d.uid, "parentVersion": v.parent_version, "restoredFrom": v.restored_from,
        "version": v.version, "created": v.created, "createdBy": v.created_by, "message": message,
        "data": if with_data { Value::Object(v.data.clone()) } else { Value::Null },
    })
}

/// `POST /api/dashboards/uid/:uid/restore {"version": N}`: saves version N's data as a new
/// version (with `restoredFrom`), answering like a save.
async fn restore_version(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(uid): Path<String>,
    b: Result<Bytes, BytesRejection>,
) -> R {
    let b = body(b)?;
    let ws = ctx.ws()?;
    let Some(version) = b.get("version").and_then(Value::as_i64).filter(|v| *v != 0) else {
        return Err(msg_trace(StatusCode::BAD_REQUEST, "bad request data"));
    };
    if caller.role < Role::Editor {
        return Err(msg_trace(StatusCode::FORBIDDEN, "Access denied to save dashboard"));
    }
    let mut g = ws.grafana.lock().expect("lock");
    let mut d = g.dashboards.get(&uid).cloned().ok_or_else(dashboard_not_found)?;
    let old = g
        .versions
        .get(&uid)
        .and_then(|vs| vs.iter().find(|v| v.version == version))
        .cloned()
        .ok_or_else(|| msg_trace(StatusCode::NOT_FOUND, "Dashboard version not found"))?;
    let now = now_rfc3339();
    let parent = d.version;
    d.version += 1;
    d.data = old.data.clone();
    d.data.insert("id".into(), json!(d.id));
    d.data.insert("uid".into(), json!(d.uid));
    d.data.insert("version".into(), json!(d.version));
    d.title = d.data.get("title").and_then(Value::as_str).unwrap_or(&d.title).to_string();
    d.updated = now.clone();
    d.updated_by = caller.login.clone();
    let vid = g.next_id();
    g.versions.entry(uid.clone()).or_default().push(VersionRec {
        id: vid,
        version: d.version,
        parent_version: parent,
        restored_from: version,
        created: now,
        created_by: caller.login.clone(),
        message: String::new(),
        data: d.data.clone(),
    });
    g.dashboards.insert(uid.clone(), d.clone());
    let slug = slugify(&d.title);
    let mut out = json!({"id": d.id, "slug": slug, "status": "success", "uid": uid, "url": format!("/d/{uid}/{slug}"), "version": d.version});
    if ws.profile != Profile::V10_4 {
        out["folderUid"] = json!(d.folder_uid.clone().unwrap_or_default());
    }
    ok(out)
}

async fn list_versions(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(uid): Path<String>,
) -> R {
    let ws = ctx.ws()?;
    if caller.role < Role::Editor {
        return Err(msg_trace(StatusCode::FORBIDDEN, "Access denied"));
    }
    let g = ws.grafana.lock().expect("lock");
    let d = g.dashboards.get(&uid).ok_or_else(dashboard_not_found)?;
    let list: Vec<Value> =
        g.versions.get(&uid).map(|vs| vs.iter().rev().map(|v| version_json(d, v, false)).collect()).unwrap_or_default();
    ok(match ws.profile {
        Profile::V10_4 => Value::Array(list),
        Profile::V12_4 => json!({"continueToken": "", "versions": list}),
    })
}

async fn get_version(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path((uid, version)): Path<(String, i64)>,
) -> R {
    let ws = ctx.ws()?;
    if caller.role < Role::Editor {
        return Err(msg_trace(StatusCode::FORBIDDEN, "Access denied"));
    }
    let g = ws.grafana.lock().expect("lock");
    let d = g.dashboards.get(&uid).ok_or_else(dashboard_not_found)?;
    match g.versions.get(&uid).and_then(|vs| vs.iter().find(|v| v.version == version)) {
        Some(v) => ok(version_json(d, v, true)),
        None => Err(msg_trace(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("Dashboard version {version} not found for dashboardId {}", d.id),
        )),
    }
}

// ---- search ----

fn query_pairs(q: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(q.unwrap_or_default().as_bytes()).into_owned().collect()
}

fn first<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
    q.iter().find(|(kk, _)| kk == k).map(|(_, v)| v.as_str())
}

fn all<'a>(q: &'a [(String, String)], k: &str) -> Vec<&'a str> {
    q.iter().filter(|(kk, _)| kk == k).map(|(_, v)| v.as_str()).collect()
}

async fn search(State(ctx): State<Ctx>, RawQuery(q): RawQuery) -> R {
    let ws = ctx.ws()?;
    let q = query_pairs(q.as_deref());
    let limit: usize = first(&q, "limit").and_then(|l| l.parse().ok()).unwrap_or(1000);
    if limit > 5000 {
        return Err(msg(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Limit is above maximum allowed (5000), use page parameter to access hits beyond limit",
        ));
    }
    if !all(&q, "dashboardIds").is_empty() && !all(&q, "dashboardUIDs").is_empty() {
        return Err(msg(StatusCode::BAD_REQUEST, "search supports UIDs or IDs, not both"));
    }
    let page: usize = first(&q, "page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let text = first(&q, "query").unwrap_or_default().to_lowercase();
    let kind = first(&q, "type");
    let tags = all(&q, "tag");
    let uids = all(&q, "dashboardUIDs");
    let folders = all(&q, "folderUIDs");
    let g = ws.grafana.lock().expect("lock");
    let mut hits: Vec<(u8, String, Value)> = Vec::new();
    if kind != Some("dash-db") && tags.is_empty() {
        for f in g.folders.values() {
            let in_folder = folders.is_empty()
                || folders
                    .iter()
                    .any(|x| Some(*x) == f.parent_uid.as_deref() || (*x == "general" && f.parent_uid.is_none()));
            if !f.title.to_lowercase().contains(&text)
                || !in_folder
                || (!uids.is_empty() && !uids.contains(&f.uid.as_str()))
            {
                continue;
            }
            let mut h = json!({"id": f.id, "uid": f.uid, "title": f.title, "uri": format!("db/{}", slugify(&f.title)), "url": folder_url(f), "slug": "", "type": "dash-folder", "tags": [], "isStarred": false, "sortMeta": 0});
            if let Some(p) = f.parent_uid.as_ref().and_then(|p| g.folders.get(p)) {
                h["folderId"] = json!(p.id);
                h["folderUid"] = json!(p.uid);
                h["folderTitle"] = json!(p.title);
                h["folderUrl"] = json!(folder_url(p));
            }
            hits.push((0, f.title.to_lowercase(), h));
        }
    }
    if kind != Some("dash-folder") {
        for d in g.dashboards.values() {
            let dtags: Vec<String> = d
                .data
                .get("tags")
                .and_then(Value::as_array)
                .map(|t| t.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            let in_folder = folders.is_empty()
                || folders
                    .iter()
                    .any(|x| Some(*x) == d.folder_uid.as_deref() || (*x == "general" && d.folder_uid.is_none()));
            if !d.title.to_lowercase().contains(&text)
                || !in_folder
                || (!uids.is_empty() && !uids.contains(&d.uid.as_str()))
                || !tags.iter().all(|t| dtags.iter().any(|x| x == t))
            {
                continue;
            }
            let slug = slugify(&d.title);
            let mut h = json!({"id": d.id, "uid": d.uid, "title": d.title, "uri": format!("db/{slug}"), "url": format!("/d/{}/{}", d.uid, slug), "slug": "", "type": "dash-db", "tags": dtags, "isStarred": false, "sortMeta": 0});
            if let Some(f) = d.folder_uid.as_ref().and_then(|f| g.folders.get(f)) {
                h["folderId"] = json!(f.id);
                h["folderUid"] = json!(f.uid);
                h["folderTitle"] = json!(f.title);
                h["folderUrl"] = json!(folder_url(f));
            }
            hits.push((1, d.title.to_lowercase(), h));
        }
    }
    hits.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    if first(&q, "sort") == Some("alpha-desc") {
        hits.sort_by(|a, b| (a.0, &b.1).cmp(&(b.0, &a.1)));
    }
    ok(Value::Array(hits.into_iter().skip((page - 1) * limit).take(limit).map(|h| h.2).collect()))
}

// ---- data sources ----

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

fn ds_not_found() -> Response {
    msg(StatusCode::NOT_FOUND, "Data source not found")
}

fn require_admin(caller: &Caller, permission: &str) -> Result<(), Response> {
    if caller.role < Role::Admin { Err(rbac_denied(permission)) } else { Ok(()) }
}

async fn list_datasources(State(ctx): State<Ctx>, axum::Extension(caller): axum::Extension<Caller>) -> R {
    let ws = ctx.ws()?;
    require_admin(&caller, "datasources:read")?;
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

async fn add_datasource(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    b: Result<Bytes, BytesRejection>,
) -> R {
    let b = body(b)?;
    let ws = ctx.ws()?;
    require_admin(&caller, "datasources:create")?;
    let (kind, access) = (str_of(&b, "type"), str_of(&b, "access"));
    if kind.is_empty() || access.is_empty() {
        return Err(msg_trace(StatusCode::BAD_REQUEST, "bad request data"));
    }
    let name = str_of(&b, "name");
    if name.chars().count() > 190 {
        return Err(gerr(
            StatusCode::BAD_REQUEST,
            json!({"message": "Invalid datasource name.", "messageId": "datasource.nameInvalid", "statusCode": 400, "traceID": ""}),
        ));
    }
    let url = str_of(&b, "url");
    if url.chars().count() > 255 {
        return Err(gerr(
            StatusCode::BAD_REQUEST,
            json!({"message": "Invalid datasource url.", "messageId": "datasource.urlInvalid", "statusCode": 400, "traceID": ""}),
        ));
    }
    let mut g = ws.grafana.lock().expect("lock");
    let name = if name.is_empty() {
        let mut n = kind.clone();
        let mut i = 0;
        while g.datasources.iter().any(|d| d.name == n) {
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

async fn get_datasource(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(uid): Path<String>,
) -> R {
    get_ds_where(&ctx, &caller, |d| d.uid == uid)
}

async fn get_datasource_by_name(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(name): Path<String>,
) -> R {
    get_ds_where(&ctx, &caller, |d| d.name == name)
}

fn get_ds_where(ctx: &Ctx, caller: &Caller, pred: impl Fn(&DsRec) -> bool) -> R {
    let ws = ctx.ws()?;
    require_admin(caller, "datasources:read")?;
    let g = ws.grafana.lock().expect("lock");
    let ds = g.datasources.iter().find(|d| pred(d)).ok_or_else(ds_not_found)?;
    ok(ds_json(ds, ws.profile))
}

async fn update_datasource(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(uid): Path<String>,
    b: Result<Bytes, BytesRejection>,
) -> R {
    let b = body(b)?;
    let ws = ctx.ws()?;
    require_admin(&caller, "datasources:write")?;
    let (name, kind, access) = (str_of(&b, "name"), str_of(&b, "type"), str_of(&b, "access"));
    if name.is_empty() || kind.is_empty() || access.is_empty() {
        return Err(msg_trace(StatusCode::BAD_REQUEST, "bad request data"));
    }
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

async fn delete_datasource(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(uid): Path<String>,
) -> R {
    delete_ds_where(&ctx, &caller, |d| d.uid == uid)
}

async fn delete_datasource_by_name(
    State(ctx): State<Ctx>,
    axum::Extension(caller): axum::Extension<Caller>,
    Path(name): Path<String>,
) -> R {
    delete_ds_where(&ctx, &caller, |d| d.name == name)
}

fn delete_ds_where(ctx: &Ctx, caller: &Caller, pred: impl Fn(&DsRec) -> bool) -> R {
    let ws = ctx.ws()?;
    require_admin(caller, "datasources:delete")?;
    let mut g = ws.grafana.lock().expect("lock");
    let idx = g.datasources.iter().position(pred).ok_or_else(ds_not_found)?;
    if g.datasources[idx].read_only {
        return Err(msg(StatusCode::FORBIDDEN, "Cannot delete read-only data source"));
    }
    let ds = g.datasources.remove(idx);
    ok(json!({"id": ds.id, "message": "Data source deleted"}))
}
