//! One workspace's Grafana HTTP API, with the semantics of Grafana 10.4 and 12.4 as AMG
//! serves them (see the README's fidelity notes and `amg-local/reference/grafana-api.md`): one file per
//! area, sharing one body extractor, one caller extractor with its role guard, and one set of
//! response envelopes.
//!
//! - [`envelope`]: response envelopes and errors, the JSON body extractor (malformed JSON gets
//!   Grafana's `400 bad request data`, bodies over 32 MiB 413);
//! - [`auth`]: bearer tokens and API keys, the caller and its role guard;
//! - [`folders`], [`dashboards`] (with versions), [`search`], [`datasources`], [`plugins`] (app
//!   plugins and the dashboards they imported), [`templates`] (alerting notification template groups),
//!   [`mute_timings`], [`policies`] (the notification policy tree), [`rule_groups`] (alert rules), sharing
//!   [`alerting`]'s provenance rules;
//!   [`users`] (the organisation's users, who appear on single sign-on), [`teams`] (teams, members, preferences), [`permissions`] (folder
//!   permissions through the legacy endpoints AMG serves);
//! - [`health`]: `/api/health` refused as AMG refuses it, `/healthz`, `/api/frontend/settings`.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use crate::world::Shared;
use crate::world::{FolderRec, Store, Workspace};

mod access_control;
mod alerting;
mod auth;
mod contact_points;
mod dashboards;
mod datasources;
mod envelope;
mod folders;
mod health;
mod mute_timings;
pub(crate) mod permissions;
mod plugins;
mod policies;
mod rule_groups;
mod search;
mod teams;
mod templates;
mod users;

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
    alerting(Router::new())
        .route("/api/folders", get(list_folders).post(create_folder))
        .route("/api/folders/{uid}", get(get_folder).put(update_folder).delete(delete_folder))
        .route("/api/folders/{uid}/move", post(move_folder))
        .route(
            "/api/folders/{uid}/permissions",
            get(permissions::get_folder_permissions).post(permissions::set_folder_permissions),
        )
        .route(
            "/api/dashboards/uid/{uid}/permissions",
            get(permissions::get_dashboard_permissions).post(permissions::set_dashboard_permissions),
        )
        .route("/api/access-control/{resource}/description", get(access_control::description))
        .route(
            "/api/access-control/{resource}/{uid}",
            get(access_control::get_permissions).post(access_control::set_permissions),
        )
        .route("/api/dashboards/db", post(save_dashboard))
        .route("/api/dashboards/uid/{uid}", get(get_dashboard).delete(delete_dashboard))
        .route("/api/dashboards/uid/{uid}/versions", get(list_versions))
        .route("/api/dashboards/uid/{uid}/versions/{version}", get(get_version))
        .route("/api/dashboards/uid/{uid}/restore", post(restore_version))
        .route("/api/search", get(search))
        .route("/api/teams", post(teams::create_team))
        .route("/api/teams/search", get(teams::search_teams))
        .route("/api/teams/{id}", get(teams::get_team).put(teams::update_team).delete(teams::delete_team))
        .route("/api/teams/{id}/members", get(teams::team_members).post(teams::add_team_member))
        .route("/api/teams/{id}/members/{user}", axum::routing::delete(teams::remove_team_member))
        .route("/api/teams/{id}/preferences", get(teams::get_team_preferences).put(teams::put_team_preferences))
        .route("/api/org/users", get(users::org_users))
        .route("/api/org/users/lookup", get(users::lookup_org_users))
        .route("/api/plugins", get(plugins::list_plugins))
        .route("/api/plugins/{id}/dashboards", get(plugins::plugin_dashboards))
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

/// The alerting provisioning API: template groups, mute timings, contact points, the policy
/// tree, alert rules and their groups.
fn alerting(r: Router<Ctx>) -> Router<Ctx> {
    r.route("/api/v1/provisioning/templates", get(templates::list_templates))
        .route(
            "/api/v1/provisioning/templates/{name}",
            get(templates::get_template).put(templates::put_template).delete(templates::delete_template),
        )
        .route(
            "/api/v1/provisioning/mute-timings",
            get(mute_timings::list_mute_timings).post(mute_timings::create_mute_timing),
        )
        .route(
            "/api/v1/provisioning/mute-timings/{name}",
            get(mute_timings::get_mute_timing)
                .put(mute_timings::put_mute_timing)
                .delete(mute_timings::delete_mute_timing),
        )
        .route(
            "/api/v1/provisioning/contact-points",
            get(contact_points::list_contact_points).post(contact_points::create_contact_point),
        )
        .route(
            "/api/v1/provisioning/contact-points/{uid}",
            axum::routing::put(contact_points::update_contact_point).delete(contact_points::delete_contact_point),
        )
        .route(
            "/api/v1/provisioning/policies",
            get(policies::get_policies).put(policies::put_policies).delete(policies::reset_policies),
        )
        .route(
            "/api/v1/provisioning/folder/{folder}/rule-groups/{group}",
            get(rule_groups::get_rule_group).put(rule_groups::put_rule_group).delete(rule_groups::delete_rule_group),
        )
        .route("/api/v1/provisioning/alert-rules", get(rule_groups::list_alert_rules))
        .route(
            "/api/v1/provisioning/alert-rules/{uid}",
            get(rule_groups::get_alert_rule).delete(rule_groups::delete_alert_rule),
        )
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

/// Grafana's slug of a title (`pkg/infra/slugify`, `Slugify`, the same in 10.4 and 12.x): the
/// trimmed title lower-cased, a space becoming `-`, `&` `and`, `@` `at` and accented Latin
/// letters their base letters, `a`-`z`, `0`-`9`, `_` and `-` kept, `,"'.?()` and line breaks
/// dropped, and any other character written as the hex of its UTF-8 bytes (`/` is `2f`); a slug
/// longer than 50 bytes, or empty, is the name-based UUID (SHA-1, OID namespace) of the title
/// instead. Grafana also transliterates Cyrillic, Hebrew and Vietnamese letters; here they take
/// the hex rule (a gap the README lists).
pub(super) fn slugify(title: &str) -> String {
    let mut out = String::new();
    for c in title.trim().to_lowercase().chars() {
        if let Some(r) = slug_replacement(c) {
            out.push_str(r);
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' {
            out.push(c);
        } else if !matches!(c, ',' | '"' | '\'' | '\n' | '\r' | '\0' | '?' | '.' | '(' | ')') {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                // Go's `%x` of one byte: no leading zero.
                out.push_str(&format!("{b:x}"));
            }
        }
    }
    if out.len() > 50 || out.is_empty() { uuid_v5_oid(title.as_bytes()) } else { out }
}

/// Grafana's replacements (the Latin ones; `pkg/infra/slugify`, `getDefaultReplacements`).
fn slug_replacement(c: char) -> Option<&'static str> {
    Some(match c {
        ' ' => "-",
        '&' => "and",
        '@' => "at",
        '©' => "c",
        '®' => "r",
        '™' => "tm",
        'ß' => "ss",
        'æ' | 'ǽ' => "ae",
        'œ' => "oe",
        'ĳ' => "ij",
        'ü' => "ue",
        'þ' => "p",
        'à' | 'á' | 'â' | 'ä' | 'å' | 'ã' | 'ā' | 'ă' | 'ą' | 'ǎ' | 'ǻ' => "a",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'ə' => "e",
        'ƒ' => "f",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'ǐ' => "i",
        'ĵ' => "j",
        'ķ' | 'ĸ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ń' | 'ņ' | 'ň' | 'ŉ' | 'ŋ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'ơ' | 'ǒ' | 'ǿ' => "o",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ţ' | 'ť' | 'ŧ' => "t",
        'ù' | 'ú' | 'û' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'ư' | 'ǔ' | 'ǖ' | 'ǘ' | 'ǚ' | 'ǜ' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' | 'ſ' => "z",
        _ => return None,
    })
}

/// RFC 4122's name-based UUID (version 5, SHA-1) in the OID namespace, as Go's
/// `uuid.NewSHA1(uuid.NameSpaceOID, name)` writes it.
fn uuid_v5_oid(name: &[u8]) -> String {
    const OID: [u8; 16] =
        [0x6b, 0xa7, 0xb8, 0x12, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8];
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
    ctx.update(&OID);
    ctx.update(name);
    let digest = ctx.finish();
    let mut u = [0u8; 16];
    u.copy_from_slice(&digest.as_ref()[..16]);
    u[6] = (u[6] & 0x0f) | 0x50;
    u[8] = (u[8] & 0x3f) | 0x80;
    let hex: String = u.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// What Grafana 10.4's title rule finds for a save: the first row by id (folders and
/// dashboards share one table and one id sequence there) whose slug is the title's and that is
/// a folder, any folder, or sits in `folder_uid` (`None`: the General folder, where every 10.4
/// folder sits), other than `except`. `getExistingDashboardByTitleAndFolder` in
/// `pkg/services/dashboards/database/database.go` (10.x): `slug=? AND (is_folder=? OR folder_id=?)`.
pub(super) enum SameSlug {
    Folder,
    Dashboard(String),
}

pub(super) fn same_slug_10_4(
    store: &Store,
    title: &str,
    folder_uid: Option<&str>,
    except: Option<&str>,
) -> Option<SameSlug> {
    let slug = slugify(title);
    let folders = store
        .folders
        .values()
        .filter(|f| Some(f.uid.as_str()) != except && slugify(&f.title) == slug)
        .map(|f| (f.id, SameSlug::Folder));
    let dashboards = store
        .dashboards
        .values()
        .filter(|d| {
            Some(d.uid.as_str()) != except && d.folder_uid.as_deref() == folder_uid && slugify(&d.title) == slug
        })
        .map(|d| (d.id, SameSlug::Dashboard(d.uid.clone())));
    folders.chain(dashboards).min_by_key(|(id, _)| *id).map(|(_, s)| s)
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
