//! One workspace's Grafana HTTP API, with the semantics of Grafana 10.4 and 12.4 as AMG
//! serves them (see the README's fidelity notes and `amg-local/reference/grafana-api.md`): one file per
//! area, sharing one body extractor, one caller extractor with its role guard, and one set of
//! response envelopes.
//!
//! - [`envelope`]: response envelopes and errors, the JSON body extractor (malformed JSON gets
//!   Grafana's `400 bad request data`, bodies over 32 MiB 413);
//! - [`auth`]: bearer tokens and API keys, the caller and its role guard;
//! - [`folders`], [`dashboards`] (with versions), [`search`], [`datasources`];
//! - [`health`]: `/api/health` refused as AMG refuses it, `/healthz`, `/api/frontend/settings`.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use crate::world::Shared;
use crate::world::{FolderRec, Workspace};

mod auth;
mod dashboards;
mod datasources;
mod envelope;
mod folders;
mod health;
mod search;

use auth::authenticate;
use envelope::{gerr, msg};

/// Grafana's request-body limit as this emulator enforces it.
const MAX_BODY: usize = 32 << 20;

/// What every handler of one workspace's API may use.
#[derive(Clone)]
struct Ctx {
    world: Shared,
    ws_id: String,
}

impl Ctx {
    fn ws(&self) -> Result<Arc<Workspace>, Response> {
        self.world.workspace(&self.ws_id).ok_or_else(|| msg(StatusCode::NOT_FOUND, "workspace not found"))
    }
}

pub fn router(world: Shared, ws_id: String) -> Router {
    use {dashboards::*, datasources::*, folders::*, health::*, search::*};
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

// ---- rules several areas share ----

pub(super) fn check_uid(uid: &str) -> Result<(), &'static str> {
    if !uid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err("uid contains illegal characters");
    }
    if uid.len() > 40 {
        return Err("uid too long, max 40 characters");
    }
    Ok(())
}

/// Grafana's slug: lower case, runs of anything but letters and digits become one `-`.
pub(super) fn slugify(title: &str) -> String {
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

pub(super) fn folder_url(f: &FolderRec) -> String {
    format!("/dashboards/f/{}/{}", f.uid, slugify(&f.title))
}

pub(super) fn query_pairs(q: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(q.unwrap_or_default().as_bytes()).into_owned().collect()
}

pub(super) fn first<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
    q.iter().find(|(kk, _)| kk == k).map(|(_, v)| v.as_str())
}

pub(super) fn all<'a>(q: &'a [(String, String)], k: &str) -> Vec<&'a str> {
    q.iter().filter(|(kk, _)| kk == k).map(|(_, v)| v.as_str()).collect()
}
