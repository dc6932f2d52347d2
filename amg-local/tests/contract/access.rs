//! Access: the organisation's users, who appear as single sign-on makes them
//! (`POST /_amg-local/workspaces/{id}/users`), listed and looked up as Grafana's `org_users.go`
//! answers (`OrgUserDTO`, `UserLookupDTO`); teams, members and preferences as `team.go` does.

use serde_json::{Value, json};

use crate::support::{Emu, call};

#[test]
fn users_appear_on_sign_in_and_are_listed_and_looked_up_as_grafana_does() {
    for profile in ["10.4", "12.4"] {
        let emu = Emu::start(&["--grafana-version", profile]);
        let bo = emu.sign_in("bo", "bo@example.com", "Bo", "Editor");
        let al = emu.sign_in("al", "Al@Example.com", "Al", "Viewer");
        assert_ne!(bo, al);
        let url = format!("{}/_amg-local/workspaces/{}/users", emu.control_plane_url, emu.workspace_id);
        let again = json!({"login": "AL", "email": "other@example.com"}).to_string();
        assert_eq!(call("POST", &url, None, Some(&again)).0, 409, "{profile}: a login signs in once");

        let (s, all) = emu.api("GET", "/api/org/users", None);
        assert_eq!(s, 200);
        let logins: Vec<&str> = all.as_array().unwrap().iter().map(|u| u["login"].as_str().unwrap()).collect();
        assert_eq!(logins, ["al", "bo"], "{profile}: ordered by login");
        let first = &all[0];
        assert_eq!(
            (&first["userId"], &first["email"], &first["role"], &first["orgId"]),
            (&json!(al), &json!("Al@Example.com"), &json!("Viewer"), &json!(1))
        );
        assert_eq!(first.get("uid").is_some(), profile == "12.4", "{profile}: uid on 12 only");

        let (_, found) = emu.api("GET", "/api/org/users?query=example.COM&limit=1", None);
        assert_eq!(found.as_array().map(Vec::len), Some(1), "{profile}: query on email, any case; limit");
        let (_, found) = emu.api("GET", "/api/org/users/lookup?query=b", None);
        assert_eq!(found, json!([{"userId": bo, "login": "bo", "avatarUrl": found[0]["avatarUrl"]}]));
        assert_eq!(emu.api("GET", "/api/org/users?query=nobody", None).1, Value::Array(Vec::new()));
    }
}

#[test]
fn teams_their_members_and_preferences_are_answered_as_grafana_does() {
    for profile in ["10.4", "12.4"] {
        let emu = Emu::start(&["--grafana-version", profile]);
        let bo = emu.sign_in("bo", "bo@example.com", "Bo", "Editor");
        let (s, created) = emu.api("POST", "/api/teams", Some(r#"{"name": "SRE", "email": "sre@example.com"}"#));
        assert_eq!((s, &created["message"]), (200, &json!("Team created")), "{profile}");
        assert_eq!(created.get("uid").is_some(), profile == "12.4");
        let id = created["teamId"].as_i64().unwrap();
        assert_eq!(
            emu.api("POST", "/api/teams", Some(r#"{"name": "SRE"}"#)),
            (409, json!({"message": "Team name taken"}))
        );
        let (_, team) = emu.api("GET", &format!("/api/teams/{id}"), None);
        assert_eq!(
            (&team["name"], &team["email"], &team["memberCount"]),
            (&json!("SRE"), &json!("sre@example.com"), &json!(0))
        );

        let members = format!("/api/teams/{id}/members");
        let add = json!({"userId": bo}).to_string();
        assert_eq!(emu.api("POST", &members, Some(&add)).0, 200);
        assert_eq!(emu.api("POST", &members, Some(&add)).0, 400, "{profile}: already a member");
        assert_eq!(emu.api("POST", &members, Some(r#"{"userId": 999}"#)).0, 404, "a user who never signed in");
        let (_, listed) = emu.api("GET", &members, None);
        assert_eq!(
            (&listed[0]["userId"], &listed[0]["email"], &listed[0]["labels"]),
            (&json!(bo), &json!("bo@example.com"), &json!([]))
        );
        assert_eq!(emu.api("DELETE", &format!("{members}/{bo}"), None).0, 200);
        assert_eq!(emu.api("DELETE", &format!("{members}/{bo}"), None).0, 404);

        let prefs = format!("/api/teams/{id}/preferences");
        assert_eq!(emu.api("PUT", &prefs, Some(r#"{"theme": "dark", "timezone": "utc"}"#)).0, 200);
        assert_eq!(emu.api("PUT", &prefs, Some(r#"{"theme": "pink"}"#)).0, 400);
        let (_, p) = emu.api("GET", &prefs, None);
        assert_eq!(p, json!({"theme": "dark", "homeDashboardUID": "", "timezone": "utc", "weekStart": ""}));
        let (_, found) = emu.api("GET", "/api/teams/search?name=SRE", None);
        assert_eq!(found["teams"].as_array().map(Vec::len), Some(1));
        assert_eq!(emu.api("DELETE", &format!("/api/teams/{id}"), None).0, 200);
        assert_eq!(emu.api("GET", &format!("/api/teams/{id}"), None).0, 404, "{profile}");
    }
}

#[test]
fn folder_permissions_start_at_grafanas_defaults_and_a_post_replaces_them_whole() {
    let emu = Emu::start(&[]);
    let user = emu.sign_in("al", "al@example.com", "Al", "Viewer");
    assert_eq!(emu.api("POST", "/api/folders", Some(r#"{"uid": "f", "title": "F"}"#)).0, 200);
    let (s, items) = emu.api("GET", "/api/folders/f/permissions", None);
    assert_eq!(s, 200);
    let seen: Vec<(&str, i64)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["role"].as_str().unwrap_or(""), i["permission"].as_i64().unwrap()))
        .collect();
    assert_eq!(seen, [("Editor", 2), ("Viewer", 1)]);
    assert_eq!(items[0]["permissionName"], "Edit");
    let body = json!({"items": [{"userId": user, "permission": 4}]}).to_string();
    assert_eq!(
        emu.api("POST", "/api/folders/f/permissions", Some(&body)),
        (200, json!({"message": "Folder permissions updated"}))
    );
    let (_, items) = emu.api("GET", "/api/folders/f/permissions", None);
    assert_eq!((items.as_array().map(Vec::len), &items[0]["userLogin"]), (Some(1), &json!("al")));
    for bad in [
        json!({"items": [{"userId": 999, "permission": 1}]}),
        json!({"items": [{"role": "Viewer", "teamId": 1, "permission": 1}]}),
        json!({"items": [{"role": "Viewer", "permission": 3}]}),
        json!({"items": [{"role": "Viewer", "permission": 1}, {"role": "Viewer", "permission": 2}]}),
    ] {
        assert_eq!(emu.api("POST", "/api/folders/f/permissions", Some(&bad.to_string())).0, 400, "{bad}");
    }
    assert_eq!(emu.api("GET", "/api/folders/nope/permissions", None).0, 404);
    // The role-based API is not served, as on AMG.
    assert_eq!(emu.api("GET", "/api/access-control/folders/f", None).0, 404);
}

/// (role, teamId, userId, permission) of each item a permission list answers, in its order.
fn items(emu: &Emu, path: &str) -> Vec<(String, i64, i64, i64)> {
    let (s, items) = emu.api("GET", path, None);
    assert_eq!(s, 200, "{path}: {items}");
    let n = |i: &serde_json::Value, k: &str| i[k].as_i64().unwrap();
    let list = items.as_array().unwrap();
    list.iter()
        .map(|i| (i["role"].as_str().unwrap_or("").into(), n(i, "teamId"), n(i, "userId"), n(i, "permission")))
        .collect()
}

#[test]
fn dashboard_permissions_are_its_own_then_its_folders_as_grafanas_legacy_api_answers() {
    let emu = Emu::start(&["--grafana-version", "12.4"]);
    let user = emu.sign_in("al", "al@example.com", "Al", "Viewer");
    let role = |r: &str, p| (r.to_string(), 0, 0, p);
    assert_eq!(emu.api("POST", "/api/folders", Some(r#"{"uid": "f", "title": "F"}"#)).0, 200);
    let save = |uid: &str, folder: &str| {
        let body = json!({"dashboard": {"uid": uid, "title": uid}, "folderUid": folder}).to_string();
        assert_eq!(emu.api("POST", "/api/dashboards/db", Some(&body)).0, 200);
    };
    save("root", "");
    save("inside", "f");
    // In the General folder a new dashboard has Grafana's defaults; in a folder, none of its own,
    // and the folder's are listed after its own, not flagged as inherited.
    assert_eq!(items(&emu, "/api/dashboards/uid/root/permissions"), [role("Editor", 2), role("Viewer", 1)]);
    assert_eq!(items(&emu, "/api/dashboards/uid/inside/permissions"), [role("Editor", 2), role("Viewer", 1)]);
    let (_, listed) = emu.api("GET", "/api/dashboards/uid/inside/permissions", None);
    assert_eq!(
        (&listed[0]["inherited"], &listed[0]["uid"], &listed[0]["isFolder"]),
        (&json!(false), &json!("inside"), &json!(false))
    );
    assert!(listed[0].get("role").is_some() && listed[0]["folderUid"] == "f", "{listed}");

    let body = json!({"items": [{"userId": user, "permission": 4}]}).to_string();
    assert_eq!(
        emu.api("POST", "/api/dashboards/uid/inside/permissions", Some(&body)),
        (200, json!({"message": "Dashboard permissions updated"}))
    );
    let (_, listed) = emu.api("GET", "/api/dashboards/uid/inside/permissions", None);
    assert!(listed[0].get("role").is_none(), "no role key on a user's item: {listed}");
    assert_eq!(
        items(&emu, "/api/dashboards/uid/inside/permissions"),
        [(String::new(), 0, user, 4), role("Editor", 2), role("Viewer", 1)]
    );
    // A nested folder gets none of its own and lists its parent's after its own; so does a
    // dashboard in it.
    assert_eq!(emu.api("POST", "/api/folders", Some(r#"{"uid": "g", "title": "G", "parentUid": "f"}"#)).0, 200);
    let body = json!({"items": [{"role": "Viewer", "permission": 1}]}).to_string();
    assert_eq!(emu.api("POST", "/api/folders/g/permissions", Some(&body)).0, 200);
    save("deep", "g");
    assert_eq!(items(&emu, "/api/folders/g/permissions"), [role("Viewer", 1), role("Editor", 2), role("Viewer", 1)]);
    assert_eq!(emu.api("POST", "/api/folders", Some(r#"{"uid": "h", "title": "H", "parentUid": "f"}"#)).0, 200);
    assert_eq!(items(&emu, "/api/folders/h/permissions"), [role("Editor", 2), role("Viewer", 1)], "none of its own");
    assert_eq!(
        items(&emu, "/api/dashboards/uid/deep/permissions"),
        [role("Viewer", 1), role("Editor", 2), role("Viewer", 1)]
    );

    // Grafana's checks, with its messages (each of the two first is the other's).
    for (bad, said) in [
        (
            json!({"items": [{"userId": user, "teamId": 1, "permission": 1}]}),
            "team and user permissions cannot have an associated role",
        ),
        (
            json!({"items": [{"role": "Viewer", "userId": user, "permission": 1}]}),
            "permissions cannot have both a user and team",
        ),
        (json!({"items": [{"userId": 999, "permission": 1}]}), "User not found"),
    ] {
        let (s, b) = emu.api("POST", "/api/dashboards/uid/root/permissions", Some(&bad.to_string()));
        assert_eq!((s, b["message"].as_str()), (400, Some(said)), "{bad}");
    }
    assert_eq!(emu.api("GET", "/api/dashboards/uid/nope/permissions", None).0, 404);
    // A deleted dashboard's permissions go with it: saved again, it starts at the defaults.
    assert_eq!(emu.api("POST", "/api/dashboards/uid/root/permissions", Some(r#"{"items": []}"#)).0, 200);
    assert_eq!(items(&emu, "/api/dashboards/uid/root/permissions"), []);
    assert_eq!(emu.api("DELETE", "/api/dashboards/uid/root", None).0, 200);
    save("root", "");
    assert_eq!(items(&emu, "/api/dashboards/uid/root/permissions"), [role("Editor", 2), role("Viewer", 1)]);
    assert_eq!(emu.api("GET", "/api/access-control/dashboards/root", None).0, 404);
}

#[test]
fn with_access_control_the_role_based_api_answers_the_same_permissions() {
    let emu = Emu::start(&["--access-control"]);
    let user = emu.sign_in("al", "al@example.com", "Al", "Viewer");
    let (s, d) = emu.api("GET", "/api/access-control/folders/description", None);
    assert_eq!((s, &d["permissions"]), (200, &json!(["View", "Edit", "Admin"])));
    assert_eq!(emu.api("POST", "/api/folders", Some(r#"{"uid": "f", "title": "F"}"#)).0, 200);
    let body = json!({"dashboard": {"uid": "d", "title": "D"}, "folderUid": "f"}).to_string();
    assert_eq!(emu.api("POST", "/api/dashboards/db", Some(&body)).0, 200);
    // (builtInRole, userId, permission, isManaged, isInherited) of each entry.
    let entries = |path: &str| {
        let (s, list) = emu.api("GET", path, None);
        assert_eq!(s, 200, "{list}");
        let list = list.as_array().unwrap().clone();
        list.iter()
            .map(|e| {
                let b = |k: &str| e[k].as_bool().unwrap();
                (
                    e["builtInRole"].as_str().unwrap().to_string(),
                    e["userId"].as_i64().unwrap(),
                    e["permission"].as_str().unwrap().to_string(),
                    b("isManaged"),
                    b("isInherited"),
                )
            })
            .collect::<Vec<_>>()
    };
    let e = |r: &str, u: i64, p: &str, managed: bool, inherited: bool| {
        (r.to_string(), u, p.to_string(), managed, inherited)
    };
    assert_eq!(
        entries("/api/access-control/dashboards/d"),
        [e("Editor", 0, "Edit", true, true), e("Viewer", 0, "View", true, true), e("Admin", 0, "Admin", false, false)],
        "the folder's, flagged inherited; the basic Admin role, not managed"
    );
    // A POST sets what it lists ("" removes) and leaves the rest.
    let set =
        json!({"permissions": [{"userId": user, "permission": "Edit"}, {"builtInRole": "Viewer", "permission": ""}]});
    assert_eq!(
        emu.api("POST", "/api/access-control/folders/f", Some(&set.to_string())),
        (200, json!({"message": "Permissions updated"}))
    );
    assert_eq!(
        entries("/api/access-control/folders/f"),
        [e("Editor", 0, "Edit", true, false), e("", user, "Edit", true, false), e("Admin", 0, "Admin", false, false)]
    );
    // The legacy endpoints answer the same permissions.
    let (_, legacy) = emu.api("GET", "/api/folders/f/permissions", None);
    assert_eq!(legacy.as_array().map(Vec::len), Some(2));
    for (bad, said) in [
        (
            json!({"permissions": [{"builtInRole": "Owner", "permission": "View"}]}),
            "built-in role [Owner] is not valid",
        ),
        (json!({"permissions": [{"userId": 999, "permission": "View"}]}), "user not found"),
    ] {
        let (s, b) = emu.api("POST", "/api/access-control/dashboards/d", Some(&bad.to_string()));
        assert_eq!((s, b["message"].as_str()), (400, Some(said)), "{bad}");
    }
    assert_eq!(emu.api("GET", "/api/access-control/dashboards/nope", None).0, 404);
}
