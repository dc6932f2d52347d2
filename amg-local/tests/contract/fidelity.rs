//! The second fidelity pass (issue "amg-local, second fidelity pass"): where amg-local answered
//! unlike Grafana. One test per row, on the profiles it concerns, each naming Grafana's file and
//! function; amg-local's README lists them under "How faithful".

use serde_json::json;

use crate::support::Emu;

fn emu(profile: &str) -> Emu {
    Emu::start(&["--grafana-version", profile])
}

fn save(e: &Emu, title: &str, folder: Option<&str>) -> (u16, serde_json::Value) {
    let mut body = json!({"dashboard": {"title": title, "panels": []}});
    if let Some(f) = folder {
        body["folderUid"] = json!(f);
    }
    e.api("POST", "/api/dashboards/db", Some(&body.to_string()))
}

/// `pkg/services/dashboards/database/database.go`, `getExistingDashboardByTitleAndFolder`
/// (10.x): `slug=? AND (is_folder=? OR folder_id=?)` finds any folder with the title's slug,
/// and a dashboard may not take it, even inside that folder (`ErrDashboardWithSameNameAsFolder`,
/// 400 `name-match`). Removed with the unique-title rule in 11.3 (grafana/grafana#90687).
#[test]
fn row_1_on_10_4_a_dashboard_titled_like_any_folder_is_refused_even_inside_it() {
    for profile in ["10.4", "12.4"] {
        let e = emu(profile);
        assert_eq!(e.api("POST", "/api/folders", Some(r#"{"uid":"payments","title":"Payments"}"#)).0, 200);
        for folder in [Some("payments"), None] {
            let (s, b) = save(&e, "Payments", folder);
            if profile == "10.4" {
                assert_eq!(s, 400, "{profile} {folder:?}: {b}");
                assert_eq!(
                    b,
                    json!({"message": "Dashboard name cannot be the same as folder", "status": "name-match"})
                );
            } else {
                assert_eq!(s, 200, "{profile} {folder:?}: {b}");
            }
        }
        // Compared as slugs: " PAYMENTS " is the same title there.
        let (s, _) = save(&e, " PAYMENTS ", Some("payments"));
        assert_eq!(s, if profile == "10.4" { 400 } else { 200 }, "{profile}");
    }
}

/// The same function with `dash.IsFolder`: a folder saved (created or renamed) with the slug of
/// a dashboard in the General folder, where every 10.4 folder sits, is refused
/// (`ErrDashboardFolderWithSameNameAsDashboard`, 400, mapped by `ToFolderErrorResponse`).
#[test]
fn row_2_on_10_4_a_folder_titled_like_a_root_dashboard_is_refused() {
    for profile in ["10.4", "12.4"] {
        let e = emu(profile);
        assert_eq!(save(&e, "Ops", None).0, 200);
        let (s, b) = e.api("POST", "/api/folders", Some(r#"{"uid":"ops","title":"Ops"}"#));
        let (s2, b2) = {
            assert_eq!(e.api("POST", "/api/folders", Some(r#"{"uid":"other","title":"Other"}"#)).0, 200);
            e.api("PUT", "/api/folders/other", Some(r#"{"title":"Ops","overwrite":true}"#))
        };
        if profile == "10.4" {
            let want = json!({"message": "Folder name cannot be the same as one of its dashboards"});
            assert_eq!((s, &b), (400, &want), "create");
            assert_eq!((s2, &b2), (400, &want), "rename");
        } else {
            assert_eq!((s, s2), (200, 200), "{b} {b2}");
        }
    }
}

/// `pkg/infra/slugify/slugify.go`, `Slugify` (10.4 and 12.x alike): spaces become `-`, `&`
/// `and`, `@` `at`, accents their letters, `,"'.?()` are dropped, any other character is the hex
/// of its UTF-8 bytes, and a slug over 50 bytes or empty is the title's name-based UUID (the
/// expected UUIDs here are Python's `uuid.uuid5(uuid.NAMESPACE_OID, title)`).
#[test]
fn row_3_slugs_are_grafanas() {
    let long = "a".repeat(60);
    let cases = [
        ("Production Overview", "production-overview"),
        ("A & B @ C", "a-and-b-at-c"),
        ("Kubernetes / Compute Resources / Cluster", "kubernetes-2f-compute-resources-2f-cluster"),
        ("Café (beta), v2.0?", "cafe-beta-v20"),
        ("日本", "e697a5e69cac"),
        ("...", "32394cfa-2b15-53a0-9dda-1c3108c90985"),
        (long.as_str(), "e0036999-273e-5e63-8f3f-4c83e591f829"),
    ];
    for profile in ["10.4", "12.4"] {
        let e = emu(profile);
        for (i, (title, slug)) in cases.iter().enumerate() {
            let body = json!({"dashboard": {"uid": format!("s{i}"), "title": title, "panels": []}});
            let (s, b) = e.api("POST", "/api/dashboards/db", Some(&body.to_string()));
            assert_eq!(s, 200, "{profile} {title}: {b}");
            assert_eq!(b["slug"], *slug, "{profile} {title}");
            assert_eq!(b["url"], format!("/d/s{i}/{slug}"), "{profile} {title}");
            let (_, got) = e.api("GET", &format!("/api/dashboards/uid/s{i}"), None);
            assert_eq!(got["meta"]["slug"], *slug, "{profile} {title}");
        }
    }
}

/// `pkg/services/folder/folderimpl/unifiedstore.go`, `Update` (12.x): a rename whose `version`
/// is not the folder's generation is refused unless `overwrite` (412, `ErrDashboardVersionMismatch`
/// through `ToFolderErrorResponse`); a move (`/move`) is exempt. 10.4's legacy store did the same
/// with its own message.
#[test]
fn row_4_folder_updates_check_the_version_on_12_4_too() {
    let e = emu("12.4");
    let (_, f) = e.api("POST", "/api/folders", Some(r#"{"uid":"f","title":"F"}"#));
    let v = f["version"].as_i64().unwrap();
    let (s, b) = e.api("PUT", "/api/folders/f", Some(&json!({"title": "G", "version": v + 5}).to_string()));
    assert_eq!((s, b), (412, json!({"message": "The dashboard has been changed by someone else"})));
    let (s, b) = e.api("PUT", "/api/folders/f", Some(&json!({"title": "G", "version": v}).to_string()));
    assert_eq!(s, 200, "{b}");
    assert_eq!(e.api("PUT", "/api/folders/f", Some(r#"{"title":"H","overwrite":true}"#)).0, 200);
    assert_eq!(e.api("POST", "/api/folders", Some(r#"{"uid":"p","title":"P"}"#)).0, 200);
    assert_eq!(e.api("POST", "/api/folders/f/move", Some(r#"{"parentUid":"p"}"#)).0, 200, "moves are exempt");
}

/// `pkg/services/datasources/service/datasource.go`: `prepareInstanceSettings`, which add and
/// update both call, refuses a name over `maxDatasourceNameLen` (190) and a url over
/// `maxDatasourceUrlLen` (255), counted in bytes (`len`).
#[test]
fn row_5_data_source_lengths_in_bytes_on_add_and_update() {
    for profile in ["10.4", "12.4"] {
        let e = emu(profile);
        // 100 two-byte characters: 100 characters, 200 bytes.
        let name = "é".repeat(100);
        let add = json!({"name": name, "type": "prometheus", "access": "proxy", "url": "https://x"});
        let (s, b) = e.api("POST", "/api/datasources", Some(&add.to_string()));
        assert_eq!((s, b["messageId"].as_str()), (400, Some("datasource.nameInvalid")), "{profile}: {b}");
        let ok = json!({"uid": "ds", "name": "ok", "type": "prometheus", "access": "proxy", "url": "https://x"});
        assert_eq!(e.api("POST", "/api/datasources", Some(&ok.to_string())).0, 200);
        let mut upd = ok.clone();
        upd["name"] = json!(name);
        let (s, b) = e.api("PUT", "/api/datasources/uid/ds", Some(&upd.to_string()));
        assert_eq!((s, b["messageId"].as_str()), (400, Some("datasource.nameInvalid")), "{profile}: {b}");
        let mut upd = ok.clone();
        upd["url"] = json!(format!("https://x/{}", "é".repeat(125)));
        let (s, b) = e.api("PUT", "/api/datasources/uid/ds", Some(&upd.to_string()));
        assert_eq!((s, b["messageId"].as_str()), (400, Some("datasource.urlInvalid")), "{profile}: {b}");
    }
}

/// `pkg/services/datasources/service/datasource.go`, `getAvailableName`: a data source added
/// without a name is named after its type, compared lower-cased with the names there are.
#[test]
fn row_11_automatic_data_source_names_compare_lower_cased() {
    for profile in ["10.4", "12.4"] {
        let e = emu(profile);
        let loki = json!({"name": "Loki", "type": "loki", "access": "proxy", "url": "https://l"});
        assert_eq!(e.api("POST", "/api/datasources", Some(&loki.to_string())).0, 200);
        let unnamed = json!({"type": "loki", "access": "proxy", "url": "https://l2"});
        let (s, b) = e.api("POST", "/api/datasources", Some(&unnamed.to_string()));
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["name"], "loki-1", "{profile}: {b}");
    }
}

/// `pkg/services/dashboards/database/database.go`, `GetDashboard` (10.x): folders are rows of the
/// dashboard table and the query has no `is_folder` filter, so `GET /api/dashboards/uid/<folder
/// uid>` answers the folder with `meta.isFolder: true`; 12.x answers 404.
#[test]
fn row_7_a_folders_uid_read_as_a_dashboard() {
    for profile in ["10.4", "12.4"] {
        let e = emu(profile);
        assert_eq!(e.api("POST", "/api/folders", Some(r#"{"uid":"team","title":"Team"}"#)).0, 200);
        let (s, b) = e.api("GET", "/api/dashboards/uid/team", None);
        if profile == "10.4" {
            assert_eq!(s, 200, "{b}");
            assert_eq!(b["meta"]["isFolder"], true);
            assert_eq!(b["dashboard"]["title"], "Team");
            assert_eq!(b["meta"]["url"], "/dashboards/f/team/team");
        } else {
            assert_eq!(s, 404, "{b}");
        }
    }
}

/// Folders: `GetChildren` (12.x) reads the parent first, so a missing `parentUid` is a 404; the
/// General folder's uid is refused on create (`Create`, `validateOnCreate`:
/// `ErrFolderInvalidUID`); 12.x refuses renaming a folder "General" as it refuses creating one;
/// 10.4's legacy `Update` keeps the old title when the new one is empty.
#[test]
fn row_10_folder_edges() {
    for profile in ["10.4", "12.4"] {
        let e = emu(profile);
        let (s, b) = e.api("GET", "/api/folders?parentUid=missing", None);
        if profile == "12.4" {
            assert_eq!((s, b), (404, json!({"message": "folder not found", "status": "not-found"})));
        } else {
            assert_eq!(s, 200, "nested folders are off on 10.4: parentUid is ignored");
        }
        let (s, b) = e.api("POST", "/api/folders", Some(r#"{"uid":"general","title":"Mine"}"#));
        assert_eq!((s, b), (400, json!({"message": "invalid uid for folder provided"})), "{profile}");
        assert_eq!(e.api("POST", "/api/folders", Some(r#"{"uid":"f","title":"F"}"#)).0, 200);
        let (s, b) = e.api("PUT", "/api/folders/f", Some(r#"{"title":"General","overwrite":true}"#));
        if profile == "12.4" {
            assert_eq!((s, b), (400, json!({"message": "A folder with that name already exists"})));
        } else {
            assert_eq!(s, 200, "{b}");
            assert_eq!(e.api("PUT", "/api/folders/f", Some(r#"{"title":"F","overwrite":true}"#)).0, 200);
        }
        let (s, b) = e.api("PUT", "/api/folders/f", Some(r#"{"title":"  ","overwrite":true}"#));
        if profile == "10.4" {
            assert_eq!((s, b["title"].as_str()), (200, Some("F")), "the old title is kept: {b}");
        } else {
            assert_eq!((s, b), (400, json!({"message": "folder title cannot be empty"})));
        }
    }
}

/// `pkg/services/search/service.go`: without `sort`, `sortedHits` puts folders first, sorts by
/// title and sorts each hit's tags; with `sort=alpha-asc`/`alpha-desc`, the store's title order
/// alone (folders among dashboards) and the tags as stored.
#[test]
fn row_9_search_order_and_tags() {
    for profile in ["10.4", "12.4"] {
        let e = emu(profile);
        assert_eq!(e.api("POST", "/api/folders", Some(r#"{"uid":"m","title":"M folder"}"#)).0, 200);
        for (uid, title) in [("a", "A dash"), ("z", "Z dash")] {
            let body = json!({"dashboard": {"uid": uid, "title": title, "tags": ["zeta", "alpha"], "panels": []}});
            assert_eq!(e.api("POST", "/api/dashboards/db", Some(&body.to_string())).0, 200);
        }
        let titles = |path: &str| -> (Vec<String>, serde_json::Value) {
            let (s, b) = e.api("GET", path, None);
            assert_eq!(s, 200, "{b}");
            let list = b.as_array().unwrap();
            let tags = list.iter().find(|h| h["uid"] == "a").unwrap()["tags"].clone();
            (list.iter().map(|h| h["title"].as_str().unwrap().to_string()).collect(), tags)
        };
        let (plain, tags) = titles("/api/search");
        assert_eq!(plain, ["M folder", "A dash", "Z dash"], "{profile}");
        assert_eq!(tags, json!(["alpha", "zeta"]), "{profile}");
        let (asc, tags) = titles("/api/search?sort=alpha-asc");
        assert_eq!(asc, ["A dash", "M folder", "Z dash"], "{profile}");
        assert_eq!(tags, json!(["zeta", "alpha"]), "{profile}");
        assert_eq!(titles("/api/search?sort=alpha-desc").0, ["Z dash", "M folder", "A dash"], "{profile}");
    }
}

/// `pkg/api/dashboard.go`: `GetDashboardVersions` rewrites messages in the list only (a first
/// save's to "Initial save", whatever it was saved with); a single version keeps its own.
/// `RestoreDashboardVersion` (newer code, 12.x) refuses a restore of what the dashboard already
/// holds (`compareDashboardData`, `id`/`uid`/`version` aside).
#[test]
fn row_12_version_messages_and_identical_restores() {
    for profile in ["10.4", "12.4"] {
        let e = emu(profile);
        let first = json!({"dashboard": {"uid": "v", "title": "V", "panels": []}, "message": "first"});
        assert_eq!(e.api("POST", "/api/dashboards/db", Some(&first.to_string())).0, 200);
        let second = json!({"dashboard": {"uid": "v", "title": "V2", "panels": [], "version": 1}, "message": "second"});
        assert_eq!(e.api("POST", "/api/dashboards/db", Some(&second.to_string())).0, 200);
        let (_, list) = e.api("GET", "/api/dashboards/uid/v/versions", None);
        let list = if profile == "12.4" && list.is_object() { list["versions"].clone() } else { list };
        let messages: Vec<&str> = list.as_array().unwrap().iter().map(|v| v["message"].as_str().unwrap()).collect();
        assert_eq!(messages, ["second", "Initial save"], "{profile}");
        let (_, one) = e.api("GET", "/api/dashboards/uid/v/versions/1", None);
        assert_eq!(one["message"], "first", "{profile}: a single version keeps its message");
        let (s, b) = e.api("POST", "/api/dashboards/uid/v/restore", Some(r#"{"version":2}"#));
        if profile == "12.4" {
            assert_eq!((s, b), (400, json!({"message": "Current dashboard is identical to the specified version"})));
        } else {
            assert_eq!(s, 200, "{b}");
        }
        assert_eq!(e.api("POST", "/api/dashboards/uid/v/restore", Some(r#"{"version":1}"#)).0, 200, "{profile}");
    }
}

/// `pkg/api/api.go`: dashboard and folder writes sit behind `authorize(...)`, whose refusal
/// (`pkg/services/accesscontrol/middleware.go`, `deny`) has RBAC's shape (`title`, `message`
/// naming the permission, `accessErrorId`), answered before the handler reads the body.
#[tokio::test]
async fn row_8_viewer_writes_are_refused_in_rbacs_shape() {
    for profile in ["10.4", "12.4"] {
        let e = emu(profile);
        let (c, ws) = (crate::control_plane::client(&e), e.workspace_id.clone());
        let sa = c
            .create_workspace_service_account()
            .workspace_id(&ws)
            .name("viewer")
            .grafana_role(aws_sdk_grafana::types::Role::Viewer)
            .send()
            .await
            .unwrap();
        let token = c
            .create_workspace_service_account_token()
            .workspace_id(&ws)
            .service_account_id(&sa.id)
            .name("t")
            .seconds_to_live(600)
            .send()
            .await
            .unwrap();
        let key = token.service_account_token.unwrap().key;
        let as_viewer = |method: &str, path: &str, body: &str| {
            crate::support::call(method, &format!("{}{path}", e.grafana_url.clone()), Some(&key), Some(body))
        };
        for (method, path, body, permission) in [
            ("POST", "/api/dashboards/db", r#"{"no":"dashboard"}"#, "any of dashboards:create, dashboards:write"),
            ("POST", "/api/folders", r#"{"title":"x"}"#, "folders:create"),
        ] {
            let (s, b) = as_viewer(method, path, body);
            assert_eq!(s, 403, "{profile} {path}: {b}");
            assert_eq!(b["title"], "Access denied", "{profile} {path}");
            assert_eq!(
                b["message"],
                format!("You'll need additional permissions to perform this action. Permissions needed: {permission}")
            );
            assert!(b["accessErrorId"].as_str().is_some_and(|a| a.starts_with("ACE")), "{b}");
        }
    }
}

/// `pkg/services/folder/folderimpl/folder.go`, `moveOnApiServer` (12.x): a move counts the
/// moved folder's subtree (`GetHeight`) with the new parent's depth against the nesting limit
/// (`[folder] max_nested_folder_depth`, default 4), so a folder with sub-folders cannot be moved
/// where its deepest sub-folder would be deeper than a create may go.
#[test]
fn row_6_folder_moves_count_the_moved_subtree() {
    let e = emu("12.4");
    let mk = |uid: &str, parent: Option<&str>| {
        let mut b = json!({"uid": uid, "title": uid});
        if let Some(p) = parent {
            b["parentUid"] = json!(p);
        }
        let (s, r) = e.api("POST", "/api/folders", Some(&b.to_string()));
        (s, r)
    };
    // a > b > c: a create may still put a fourth level under `c`, not a fifth.
    assert_eq!(mk("a", None).0, 200);
    assert_eq!(mk("b", Some("a")).0, 200);
    assert_eq!(mk("c", Some("b")).0, 200);
    assert_eq!(mk("too-deep", Some("c")).0, 200);
    assert_eq!(mk("deeper", Some("too-deep")).0, 400);
    // x > y: a folder with one sub-folder.
    assert_eq!(mk("x", None).0, 200);
    assert_eq!(mk("y", Some("x")).0, 200);
    // Under `c`, y would sit at the fifth level.
    let (s, r) = e.api("POST", "/api/folders/x/move", Some(r#"{"parentUid":"c"}"#));
    assert_eq!((s, r), (400, json!({"message": "Maximum nested folder depth reached"})));
    // Under `b` it sits at the fourth, as a create there allows.
    assert_eq!(e.api("POST", "/api/folders/x/move", Some(r#"{"parentUid":"b"}"#)).0, 200);
}

/// Row 5, dashboards: the title limit (12.x, `title-too-long`) and the version message limit
/// (500) count bytes (`len`), as the data source limits do.
#[test]
fn row_5_dashboard_lengths_in_bytes() {
    let e = emu("12.4");
    // 2,600 two-byte characters: fewer than 5,000 characters, more than 5,000 bytes.
    let title = "é".repeat(2600);
    let (s, b) = e.api("POST", "/api/dashboards/db", Some(&json!({"dashboard": {"title": title}}).to_string()));
    assert_eq!((s, b["status"].as_str()), (400, Some("title-too-long")), "{b}");
    let message = "é".repeat(300);
    let body = json!({"dashboard": {"title": "ok"}, "message": message});
    let (s, b) = e.api("POST", "/api/dashboards/db", Some(&body.to_string()));
    assert_eq!((s, b), (400, json!({"message": "message too long, max 500 characters"})));
}
