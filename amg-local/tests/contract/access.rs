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
        .map(|i| (i["role"].as_str().unwrap(), i["permission"].as_i64().unwrap()))
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
