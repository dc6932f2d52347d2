//! What AMG answers about the server itself: `/api/health` refused, `/healthz`, and the
//! frontend settings that carry the version.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Ctx;
use super::envelope::{R, ok};

/// AMG's front door refuses Grafana's `/api/health` to everyone, admin tokens included:
/// `400` with the plain text `Bad Request: Not allowed.` (aws/amazon-managed-grafana-roadmap
/// issue 41; the body as grafana-backup-tool PR 184 and grafana-operator issue 1569 quote it).
pub(super) async fn api_health_refused() -> Response {
    plain(StatusCode::BAD_REQUEST, "Bad Request: Not allowed.")
}

/// Grafana's liveness probe (`healthzHandler` in `pkg/api/http_server.go`): `200`, the two
/// bytes `Ok`, no authentication; AMG lets it through (AWS staff in grafana-wtf issue 141).
pub(super) async fn healthz() -> Response {
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
pub(super) async fn frontend_settings(State(ctx): State<Ctx>) -> R {
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
