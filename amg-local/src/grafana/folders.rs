//! Folders: create, get, list, rename, move (nested folders, 12.4), delete (cascading).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::Caller;
use super::envelope::{Body, R, gerr, msg, ok};
use super::{Ctx, SameSlug, check_uid, first, folder_url, query_pairs, same_slug_10_4};
use crate::world::{FolderRec, Profile, Role, Store, now_rfc3339};

fn folder_json(store: &Store, f: &FolderRec, profile: Profile, caller: Option<&Caller>) -> Value {
    let can = caller.is_none_or(|c| c.role >= Role::Editor);
    let admin = caller.is_none_or(|c| c.role == Role::Admin);
    let mut v = json!({
        "id": f.id, "uid": f.uid, "orgId": 1, "title": f.title, "url": folder_url(f), "hasAcl": false,
        "canSave": can, "canEdit": can, "canAdmin": admin, "canDelete": can,
        "createdBy": f.created_by, "created": f.created, "updatedBy": f.updated_by, "updated": f.updated, "version": f.version,
    });
    if profile.nested_folders()
        && let Some(p) = &f.parent_uid
    {
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

/// How many levels of folders sit below `uid` (0 for a folder without sub-folders).
fn height(store: &Store, uid: &str) -> usize {
    store
        .folders
        .values()
        .filter(|f| f.parent_uid.as_deref() == Some(uid))
        .map(|f| 1 + height(store, &f.uid))
        .max()
        .unwrap_or(0)
}

/// `[folder] max_nested_folder_depth`'s default (12.x; the setting's hard maximum is 7).
const MAX_FOLDER_DEPTH: usize = 4;

/// Grafana 10.4's title rule for a folder (not `except`) saved with `title` ([`same_slug_10_4`];
/// a 10.4 folder sits in the General folder): another folder with its slug is a conflict, and so
/// is a dashboard in the General folder (`ErrDashboardFolderWithSameNameAsDashboard`, 400).
fn title_taken_10_4(store: &Store, title: &str, except: Option<&str>) -> Result<(), Response> {
    match same_slug_10_4(store, title, None, except) {
        None => Ok(()),
        Some(SameSlug::Folder) => Err(msg(
            StatusCode::CONFLICT,
            "a folder or dashboard in the general folder with the same name already exists",
        )),
        Some(SameSlug::Dashboard(_)) => {
            Err(msg(StatusCode::BAD_REQUEST, "Folder name cannot be the same as one of its dashboards"))
        }
    }
}

pub(super) async fn create_folder(State(ctx): State<Ctx>, caller: Caller, Body(b): Body) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Editor, "folders:create")?;
    let title = b.get("title").and_then(Value::as_str).unwrap_or_default().trim().to_string();
    if title.is_empty() {
        return Err(msg(StatusCode::BAD_REQUEST, "folder title cannot be empty"));
    }
    let uid = b.get("uid").and_then(Value::as_str).unwrap_or_default().trim().to_string();
    check_uid(&uid).map_err(|m| msg(StatusCode::BAD_REQUEST, m))?;
    // `folderimpl` `Create` (and 12.x's `validateOnCreate`): the General folder's uid is taken.
    if uid == "general" {
        return Err(msg(StatusCode::BAD_REQUEST, "invalid uid for folder provided"));
    }
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
    if ws.profile.unique_titles() {
        title_taken_10_4(&g, &title, None)?;
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
        parent_uid: parent,
        version: 1,
        created: now.clone(),
        updated: now,
        created_by: caller.login.clone(),
        updated_by: caller.login.clone(),
    };
    // A new folder starts with Grafana's default permissions: none of its own when nested.
    g.folder_permissions.insert(uid.clone(), super::permissions::defaults_in(f.parent_uid.as_deref()));
    g.folders.insert(uid, f.clone());
    ok(folder_json(&g, &f, ws.profile, Some(&caller)))
}

pub(super) async fn get_folder(State(ctx): State<Ctx>, caller: Caller, Path(uid): Path<String>) -> R {
    let ws = ctx.ws()?;
    let g = ws.grafana.lock().expect("lock");
    let f = g.folders.get(&uid).ok_or_else(folder_not_found)?;
    ok(folder_json(&g, f, ws.profile, Some(&caller)))
}

pub(super) async fn list_folders(State(ctx): State<Ctx>, RawQuery(q): RawQuery) -> R {
    let ws = ctx.ws()?;
    let q = query_pairs(q.as_deref());
    let parent = first(&q, "parentUid").filter(|p| !p.is_empty());
    let limit: usize = first(&q, "limit").and_then(|l| l.parse().ok()).unwrap_or(1000);
    let page: usize = first(&q, "page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let g = ws.grafana.lock().expect("lock");
    // 12.x `GetChildren` gets the parent first: a missing one is a 404, not an empty list.
    if ws.profile.nested_folders()
        && let Some(p) = parent
        && !g.folders.contains_key(p)
    {
        return Err(folder_not_found());
    }
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

pub(super) async fn update_folder(State(ctx): State<Ctx>, caller: Caller, Path(uid): Path<String>, Body(b): Body) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Editor, "folders:write")?;
    let mut g = ws.grafana.lock().expect("lock");
    let cur = g.folders.get(&uid).cloned().ok_or_else(folder_not_found)?;
    let title = b.get("title").and_then(Value::as_str).map(|t| t.trim().to_string());
    let title = match (ws.profile, title.as_deref()) {
        // 10.4's legacy store keeps the old title when the new one is empty.
        (Profile::V10_4, Some("")) => None,
        (Profile::V12_4, Some("")) => return Err(msg(StatusCode::BAD_REQUEST, "folder title cannot be empty")),
        // 12.x refuses the root folder's name on rename as on create.
        (Profile::V12_4, Some(t)) if t.eq_ignore_ascii_case("general") => {
            return Err(msg(StatusCode::BAD_REQUEST, "A folder with that name already exists"));
        }
        _ => title,
    };
    let overwrite = b.get("overwrite").and_then(Value::as_bool).unwrap_or(false);
    let v = b.get("version").and_then(Value::as_i64).unwrap_or(0);
    if !overwrite && v != cur.version {
        return Err(match ws.profile {
            Profile::V10_4 => gerr(
                StatusCode::PRECONDITION_FAILED,
                json!({"message": "the folder has been changed by someone else", "status": "version-mismatch"}),
            ),
            // `folderimpl/unifiedstore.go`, `Update`: `!cmd.Overwrite && cmd.Version != generation`
            // (a move, which goes through `/move`, is exempt) → `ErrDashboardVersionMismatch`,
            // answered by `ToFolderErrorResponse` with its reason.
            Profile::V12_4 => msg(StatusCode::PRECONDITION_FAILED, "The dashboard has been changed by someone else"),
        });
    }
    let mut f = cur;
    if let Some(t) = title {
        if ws.profile.unique_titles() {
            title_taken_10_4(&g, &t, Some(&f.uid))?;
        }
        f.title = t;
    }
    f.version += 1;
    f.updated = now_rfc3339();
    f.updated_by = caller.login.clone();
    g.folders.insert(uid, f.clone());
    ok(folder_json(&g, &f, ws.profile, Some(&caller)))
}

pub(super) async fn move_folder(State(ctx): State<Ctx>, caller: Caller, Path(uid): Path<String>, Body(b): Body) -> R {
    let ws = ctx.ws()?;
    if !ws.profile.nested_folders() {
        return Err(msg(StatusCode::NOT_FOUND, "Not found"));
    }
    caller.require_permission(Role::Editor, "folders:write")?;
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
        // `moveOnApiServer` (12.x) counts the moved folder's own subtree (`GetHeight`) with the
        // new parent's depth: the deepest folder it carries may not end deeper than a create
        // could put one.
        if height(&g, &uid) + depth(&g, p) + 1 >= MAX_FOLDER_DEPTH {
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

pub(super) async fn delete_folder(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path(uid): Path<String>,
    RawQuery(q): RawQuery,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Editor, "folders:delete")?;
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
    // Grafana refuses to take alert rules with the folder unless asked to (`forceDeleteRules`).
    let force = query_pairs(q.as_deref()).iter().any(|(k, v)| k == "forceDeleteRules" && v == "true");
    if !force && super::rule_groups::rules_in(&g, &doomed) {
        return Err(msg(StatusCode::BAD_REQUEST, "folder cannot be deleted: folder contains alert rules"));
    }
    g.alert_rules.retain(|r| !doomed.contains(&r.folder_uid));
    for f in &doomed {
        g.folders.remove(f);
        g.folder_permissions.remove(f);
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
        g.dashboard_permissions.remove(&d);
    }
    ok(json!({"message": "Folder deleted"}))
}
