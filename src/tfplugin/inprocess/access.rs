//! Access on AMG: users, who come from single sign-on. The `grafana_user` lookup finds those
//! who signed in; the `grafana_user` resource is refused before any call.

use super::{Harness, s};
use crate::value::Value;

#[tokio::test]
async fn users_who_signed_in_are_found_by_email_login_or_id() {
    for profile in ["10.4", "12.4"] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        let alice = h.emu.sign_in("alice", "Alice@Example.com", "Alice Liddell", "Editor");
        h.emu.sign_in("alicia", "alicia@example.com", "Alicia", "Viewer");
        for by in [("email", s("alice@example.com")), ("login", s("ALICE")), ("user_id", Value::int(alice))] {
            let (found, said) = h.read_data("grafana_user", std::slice::from_ref(&by)).await;
            said.assert_clean();
            assert_eq!(found.get("user_id"), &Value::int(alice), "{profile}: by {}", by.0);
            assert_eq!(found.get("email"), &s("Alice@Example.com"));
            assert_eq!((found.get("login"), found.get("name")), (&s("alice"), &s("Alice Liddell")));
            assert_eq!((found.get("role"), found.get("is_admin")), (&s("Editor"), &Value::Bool(false)));
            assert_eq!(found.get("id"), &s(&alice.to_string()));
        }
        // The official default `user_id = -1` is unset.
        let (found, said) = h.read_data("grafana_user", &[("user_id", Value::int(-1)), ("login", s("alicia"))]).await;
        said.assert_clean();
        assert_eq!(found.get("email"), &s("alicia@example.com"));
    }
}

#[tokio::test]
async fn a_user_who_never_signed_in_is_not_found_and_the_error_says_why() {
    let h = Harness::start(&[]).await;
    let (_, said) = h.read_data("grafana_user", &[("email", s("bob@example.com"))]).await;
    assert_eq!(said.errors.len(), 1, "{said:?}");
    let e = &said.errors[0];
    assert!(e.contains("IAM Identity Center") && e.contains("sign in once") && e.ends_with("(at email)"), "{e}");

    // None, or two, of the ways to name a user: refused before any call.
    let before = h.emu.count("GET", Some("/api/org/users"));
    for set in [vec![], vec![("email", s("a@example.com")), ("login", s("a"))]] {
        let (_, said) = h.read_data("grafana_user", &set).await;
        assert!(said.errors.len() == 1 && said.errors[0].contains("(at email)"), "{said:?}");
    }
    assert_eq!(h.emu.count("GET", Some("/api/org/users")), before);
}

#[tokio::test]
async fn a_grafana_user_resource_is_refused_naming_single_sign_on_with_no_call() {
    let h = Harness::start(&[]).await;
    let config = h.config(
        "grafana_user",
        &[("email", s("staff@example.com")), ("login", s("staff")), ("password", s("my-password"))],
    );
    let said = h.validate("grafana_user", &config).await;
    assert_eq!(said.errors.len(), 1, "{said:?}");
    let e = &said.errors[0];
    assert!(e.contains("single sign-on") && e.contains("data \"grafana_user\"") && !e.contains("my-password"), "{e}");
    let (imported, said) = h.import("grafana_user", "1").await;
    assert!(imported.is_none() && said.errors[0].contains("single sign-on"), "{said:?}");
    assert_eq!(h.emu.writes(), 0, "nothing written");
}

fn members(xs: &[&str]) -> Value {
    Value::Set(xs.iter().map(|x| s(x)).collect())
}

#[tokio::test]
async fn a_team_keeps_its_members_by_email_or_login_on_both_profiles() {
    for profile in ["10.4", "12.4"] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        let alice = h.emu.sign_in("alice", "alice@example.com", "Alice", "Editor");
        let bob = h.emu.sign_in("bob", "bob@example.com", "Bob", "Viewer");
        h.emu.sign_in("carol", "carol@example.com", "Carol", "Viewer");
        let config = |m: &[&str]| h.config("grafana_team", &[("name", s("SRE")), ("members", members(m))]);
        let (created, said) = h.plan_apply("grafana_team", None, &config(&["Alice@Example.com", "bob"])).await;
        said.assert_clean();
        let id = created.state.get("team_id").clone();
        assert_eq!(created.state.get("members"), &members(&["Alice@Example.com", "bob"]), "{profile}: the words kept");
        assert_eq!(created.state.get("id"), &s(&format!("1:{}", id.as_i64().unwrap())));
        assert_eq!(created.state.get("team_uid").as_str().is_some_and(|u| !u.is_empty()), profile == "12.4");
        let (_, held) = h.grafana("GET", &format!("/api/teams/{}/members", id.as_i64().unwrap()), None).await;
        let ids: Vec<i64> = held.as_array().unwrap().iter().map(|m| m["userId"].as_i64().unwrap()).collect();
        assert_eq!(ids, [alice, bob], "{profile}");

        // The same configuration plans nothing; a member removed in Grafana is drift, healed.
        let (planned, replace, _, said) =
            h.plan("grafana_team", Some(&created), &config(&["Alice@Example.com", "bob"])).await;
        said.assert_clean();
        assert!(replace.is_empty() && planned == created.state, "{profile}: {planned:?}");
        let path = format!("/api/teams/{}/members/{bob}", id.as_i64().unwrap());
        assert_eq!(h.grafana("DELETE", &path, None).await.0, 200);
        let (drifted, _) = h.read("grafana_team", &created).await;
        assert_eq!(drifted.state.get("members"), &members(&["Alice@Example.com"]));
        let (healed, said) = h.plan_apply("grafana_team", Some(&drifted), &config(&["Alice@Example.com", "bob"])).await;
        said.assert_clean();
        assert_eq!(healed.state.get("members"), created.state.get("members"));

        // Swapping a member: one added, one removed.
        let (swapped, said) = h.plan_apply("grafana_team", Some(&healed), &config(&["carol", "bob"])).await;
        said.assert_clean();
        assert_eq!(swapped.state.get("members"), &members(&["bob", "carol"]));
        // Imported by id: Grafana's emails; destroy removes the team.
        let (imported, said) = h.import("grafana_team", &format!("1:{}", id.as_i64().unwrap())).await;
        said.assert_clean();
        assert_eq!(imported.unwrap().state.get("members"), &members(&["bob@example.com", "carol@example.com"]));
        h.destroy("grafana_team", &swapped).await.assert_clean();
        assert_eq!(h.emu.held("teams"), 0, "{profile}");
    }
}

#[tokio::test]
async fn a_member_who_never_signed_in_is_refused_at_plan_and_nothing_is_made() {
    let h = Harness::start(&[]).await;
    h.emu.sign_in("alice", "alice@example.com", "Alice", "Editor");
    let config = h.config("grafana_team", &[("name", s("SRE")), ("members", members(&["alice", "dave@example.com"]))]);
    let writes = h.emu.writes();
    let (_, _, _, said) = h.plan("grafana_team", None, &config).await;
    assert_eq!(said.errors.len(), 1, "{said:?}");
    let e = &said.errors[0];
    assert!(e.contains("dave@example.com") && e.contains("sign in once") && e.ends_with("(at members)"), "{e}");
    assert_eq!(h.emu.writes(), writes, "nothing written");
    // Team Sync is refused at validate.
    let sync = h.config(
        "grafana_team",
        &[("name", s("SRE")), ("team_sync", Value::List(vec![Value::object([("groups", members(&["g"]))])]))],
    );
    let said = h.validate("grafana_team", &sync).await;
    assert!(said.errors.len() == 1 && said.errors[0].ends_with("(at team_sync)"), "{said:?}");
}

#[tokio::test]
async fn team_preferences_are_managed_while_the_block_is_there() {
    let h = Harness::start(&[]).await;
    let prefs = |theme: &str| {
        Value::List(vec![Value::object([
            ("theme", s(theme)),
            ("home_dashboard_uid", Value::Null),
            ("timezone", s("utc")),
            ("week_start", Value::Null),
        ])])
    };
    let with = h.config("grafana_team", &[("name", s("Ops")), ("preferences", prefs("dark"))]);
    let (created, said) = h.plan_apply("grafana_team", None, &with).await;
    said.assert_clean();
    assert_eq!(created.state.get("preferences"), &prefs("dark"));
    let id = created.state.get("team_id").as_i64().unwrap();
    let (_, held) = h.grafana("GET", &format!("/api/teams/{id}/preferences"), None).await;
    assert_eq!((&held["theme"], &held["timezone"]), (&serde_json::json!("dark"), &serde_json::json!("utc")));
    let (planned, _, _, said) = h.plan("grafana_team", Some(&created), &with).await;
    said.assert_clean();
    assert_eq!(planned, created.state, "no change");
    // The block removed: Grafana's defaults again.
    let without = h.config("grafana_team", &[("name", s("Ops"))]);
    let (after, said) = h.plan_apply("grafana_team", Some(&created), &without).await;
    said.assert_clean();
    assert_eq!(after.state.get("preferences"), &Value::List(Vec::new()));
    let (_, held) = h.grafana("GET", &format!("/api/teams/{id}/preferences"), None).await;
    assert_eq!(held["theme"], "");
    // An unknown theme is refused at plan, at its path.
    let said = h
        .validate("grafana_team", &h.config("grafana_team", &[("name", s("Ops")), ("preferences", prefs("pink"))]))
        .await;
    assert!(said.errors.len() == 1 && said.errors[0].ends_with("(at preferences[0].theme)"), "{said:?}");
}

#[tokio::test]
async fn teams_are_listed_by_name_as_an_import_reads_them() {
    let h = Harness::start(&[]).await;
    for name in ["Ops", "Dev"] {
        assert_eq!(h.grafana("POST", "/api/teams", Some(serde_json::json!({"name": name}))).await.0, 200);
    }
    h.assert_listed_as_imported("grafana_team", &["Ops", "Dev"]).await;
}

fn grant(role: Option<&str>, team: &str, user: &str, permission: &str) -> Value {
    Value::object([
        ("role", role.map_or(Value::Null, s)),
        ("team_id", s(team)),
        ("user_id", s(user)),
        ("permission", s(permission)),
    ])
}

/// The permissions Grafana lists for a folder or dashboard: (role, team, user, level), sorted.
async fn held(h: &Harness, path: &str) -> Vec<(String, i64, i64, i64)> {
    let (_, items) = h.grafana("GET", path, None).await;
    let mut v: Vec<(String, i64, i64, i64)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let n = |k: &str| i[k].as_i64().unwrap();
            (i["role"].as_str().unwrap_or("").to_string(), n("teamId"), n("userId"), n("permission"))
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_folder_permission_list_is_owned_whole_and_destroy_gives_the_defaults_back() {
    for profile in ["10.4", "12.4"] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        let user = h.emu.sign_in("alice", "alice@example.com", "Alice", "Viewer");
        let (_, team) = h.grafana("POST", "/api/teams", Some(serde_json::json!({"name": "SRE"}))).await;
        let team = team["teamId"].as_i64().unwrap();
        assert_eq!(
            h.grafana("POST", "/api/folders", Some(serde_json::json!({"uid": "ops", "title": "Ops"}))).await.0,
            200
        );
        let path = "/api/folders/ops/permissions";
        let defaults = vec![("Editor".to_string(), 0, 0, 2), ("Viewer".to_string(), 0, 0, 1)];
        assert_eq!(held(&h, path).await, defaults, "{profile}: a new folder's defaults");

        // The official example's three grants, the team by `grafana_team.x.id` (`1:<id>`).
        let grants = Value::Set(vec![
            grant(Some("Editor"), "0", "0", "Edit"),
            grant(None, &format!("1:{team}"), "0", "View"),
            grant(None, "0", &user.to_string(), "Admin"),
        ]);
        let config =
            h.config("grafana_folder_permission", &[("folder_uid", s("ops")), ("permissions", grants.clone())]);
        let (created, said) = h.plan_apply("grafana_folder_permission", None, &config).await;
        said.assert_clean();
        assert_eq!(created.state.get("permissions"), &grants, "{profile}: the configured words");
        let want = vec![("".to_string(), 0, user, 4), ("".to_string(), team, 0, 1), ("Editor".to_string(), 0, 0, 2)];
        assert_eq!(held(&h, path).await, want, "{profile}: exactly Editor=Edit, team=View, user=Admin");
        let (planned, replace, _, said) = h.plan("grafana_folder_permission", Some(&created), &config).await;
        said.assert_clean();
        assert!(replace.is_empty() && planned == created.state, "{profile}");

        // An extra grant made in Grafana is drift: shown, and the apply takes it away.
        let mut extra: Vec<serde_json::Value> = want
            .iter()
            .map(|(r, t, u, p)| serde_json::json!({"role": r, "teamId": t, "userId": u, "permission": p}))
            .collect();
        extra.push(serde_json::json!({"role": "Viewer", "permission": 2}));
        assert_eq!(h.grafana("POST", path, Some(serde_json::json!({ "items": extra }))).await.0, 200);
        let (drifted, _) = h.read("grafana_folder_permission", &created).await;
        assert_ne!(drifted.state, created.state);
        let (healed, said) = h.plan_apply("grafana_folder_permission", Some(&drifted), &config).await;
        said.assert_clean();
        assert_eq!(healed.state, created.state);
        assert_eq!(held(&h, path).await, want);

        // Imported by uid; destroyed: the folder has Grafana's defaults again.
        let (imported, said) = h.import("grafana_folder_permission", "1:ops").await;
        said.assert_clean();
        let imported = imported.unwrap();
        assert!(matches!(imported.state.get("permissions"), Value::Set(xs) if xs.len() == 3), "{imported:?}");
        // Grafana's `<teamID>` means the configured `1:<teamID>`: the plan keeps the state's words.
        let (planned, _, _, said) = h.plan("grafana_folder_permission", Some(&imported), &config).await;
        said.assert_clean();
        assert_eq!(planned, imported.state, "{profile}: no change after the import");
        h.destroy("grafana_folder_permission", &healed).await.assert_clean();
        assert_eq!(held(&h, path).await, defaults, "{profile}");
    }
}

#[tokio::test]
async fn permission_blocks_name_one_grantee_and_a_known_level_at_plan() {
    let h = Harness::start(&[]).await;
    for bad in [
        grant(None, "0", "0", "View"),
        grant(Some("Editor"), "3", "0", "View"),
        grant(Some("Editor"), "0", "0", "Write"),
        grant(Some("Owner"), "0", "0", "View"),
    ] {
        let config =
            h.config("grafana_folder_permission", &[("folder_uid", s("x")), ("permissions", Value::Set(vec![bad]))]);
        let said = h.validate("grafana_folder_permission", &config).await;
        assert!(said.errors.len() == 1 && said.errors[0].ends_with("(at permissions)"), "{said:?}");
    }
    // A folder that does not exist: said at `folder_uid`, nothing kept.
    let config = h.config(
        "grafana_folder_permission",
        &[("folder_uid", s("nope")), ("permissions", Value::Set(vec![grant(Some("Viewer"), "0", "0", "View")]))],
    );
    let (after, said) = h.plan_apply("grafana_folder_permission", None, &config).await;
    assert!(after.state.is_null() && said.errors[0].ends_with("(at folder_uid)"), "{said:?}");
}

#[tokio::test]
async fn a_dashboard_permission_list_is_its_own_not_its_folders_and_destroy_gives_the_defaults_back() {
    for profile in ["10.4", "12.4"] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        let user = h.emu.sign_in("alice", "alice@example.com", "Alice", "Viewer");
        assert_eq!(
            h.grafana("POST", "/api/folders", Some(serde_json::json!({"uid": "ops", "title": "Ops"}))).await.0,
            200
        );
        for (uid, folder) in [("in-ops", "ops"), ("top", "")] {
            let body = serde_json::json!({"dashboard": {"uid": uid, "title": uid}, "folderUid": folder});
            assert_eq!(h.grafana("POST", "/api/dashboards/db", Some(body)).await.0, 200);
        }
        let path = "/api/dashboards/uid/in-ops/permissions";
        let folders = vec![("Editor".to_string(), 0, 0, 2), ("Viewer".to_string(), 0, 0, 1)];
        assert_eq!(held(&h, path).await, folders, "{profile}: Grafana lists the folder's, not flagged");

        // The dashboard's own list: the user is Admin, and Editors only View here.
        let grants =
            Value::Set(vec![grant(Some("Editor"), "0", "0", "View"), grant(None, "0", &user.to_string(), "Admin")]);
        let config = h
            .config("grafana_dashboard_permission", &[("dashboard_uid", s("in-ops")), ("permissions", grants.clone())]);
        let before = h.emu.count("GET", None);
        let (created, said) = h.plan_apply("grafana_dashboard_permission", None, &config).await;
        said.assert_clean();
        assert_eq!(created.state.get("permissions"), &grants, "{profile}: its own, not the folder's");
        assert_eq!(created.state.get("id"), &s("1:in-ops"));
        // One POST, read back as: the dashboard (its folder), its list, the folder's list; and, once
        // per provider process, whether the role-based API is served (AMG: 404).
        let probe = h.emu.count("GET", Some("/api/access-control/:resource/description"));
        assert_eq!(
            (h.emu.count("POST", Some("/api/dashboards/uid/:uid/permissions")), h.emu.count("GET", None) - before),
            (1, 3 + probe),
            "{profile}"
        );
        assert_eq!(probe, 1, "{profile}");
        let mut want = folders.clone();
        want.extend([("".to_string(), 0, user, 4), ("Editor".to_string(), 0, 0, 1)]);
        want.sort();
        assert_eq!(held(&h, path).await, want, "{profile}");
        let (planned, replace, _, said) = h.plan("grafana_dashboard_permission", Some(&created), &config).await;
        said.assert_clean();
        assert!(replace.is_empty() && planned == created.state, "{profile}: nothing to do");
        let (read, said) = h.read("grafana_dashboard_permission", &created).await;
        said.assert_clean();
        assert_eq!(read.state, created.state, "{profile}: the folder's grants are not drift");

        // Imported by uid: the same list; destroyed: none of its own again (it inherits the folder's).
        let (imported, said) = h.import("grafana_dashboard_permission", "in-ops").await;
        said.assert_clean();
        assert_eq!(imported.unwrap().state.get("permissions"), &grants, "{profile}");
        h.destroy("grafana_dashboard_permission", &created).await.assert_clean();
        assert_eq!(held(&h, path).await, folders, "{profile}");

        // In the General folder, destroy gives Grafana's defaults back.
        let config = h.config(
            "grafana_dashboard_permission",
            &[
                ("dashboard_uid", s("top")),
                ("permissions", Value::Set(vec![grant(None, "0", &user.to_string(), "Edit")])),
            ],
        );
        let (top, said) = h.plan_apply("grafana_dashboard_permission", None, &config).await;
        said.assert_clean();
        assert_eq!(held(&h, "/api/dashboards/uid/top/permissions").await, [("".to_string(), 0, user, 2)]);
        h.destroy("grafana_dashboard_permission", &top).await.assert_clean();
        assert_eq!(held(&h, "/api/dashboards/uid/top/permissions").await, folders, "{profile}: the defaults");
    }
}

#[tokio::test]
async fn a_nested_folder_permission_list_leaves_out_what_the_parent_grants() {
    let h = Harness::start(&["--grafana-version", "12.4"]).await;
    assert_eq!(h.grafana("POST", "/api/folders", Some(serde_json::json!({"uid": "p", "title": "P"}))).await.0, 200);
    assert_eq!(
        h.grafana("POST", "/api/folders", Some(serde_json::json!({"uid": "c", "title": "C", "parentUid": "p"})))
            .await
            .0,
        200
    );
    let grants = Value::Set(vec![grant(Some("Editor"), "0", "0", "Edit")]);
    let config = h.config("grafana_folder_permission", &[("folder_uid", s("c")), ("permissions", grants.clone())]);
    let (created, said) = h.plan_apply("grafana_folder_permission", None, &config).await;
    said.assert_clean();
    assert_eq!(created.state.get("permissions"), &grants, "the parent's Editor: Edit is the parent's");
    let (read, _) = h.read("grafana_folder_permission", &created).await;
    assert_eq!(read.state, created.state);
    // Destroyed: a nested folder has none of its own, as Grafana makes it.
    h.destroy("grafana_folder_permission", &created).await.assert_clean();
    let parents = vec![("Editor".to_string(), 0, 0, 2), ("Viewer".to_string(), 0, 0, 1)];
    assert_eq!(held(&h, "/api/folders/c/permissions").await, parents);
}

#[tokio::test]
async fn a_dashboard_permission_without_a_dashboard_is_refused_at_plan() {
    let h = Harness::start(&[]).await;
    let grants = Value::Set(vec![grant(Some("Viewer"), "0", "0", "View")]);
    let config = h.config("grafana_dashboard_permission", &[("permissions", grants.clone())]);
    let said = h.validate("grafana_dashboard_permission", &config).await;
    assert!(said.errors.len() == 1 && said.errors[0].ends_with("(at dashboard_uid)"), "{said:?}");
    let config = h.config("grafana_dashboard_permission", &[("dashboard_uid", s("nope")), ("permissions", grants)]);
    let (after, said) = h.plan_apply("grafana_dashboard_permission", None, &config).await;
    assert!(after.state.is_null() && said.errors[0].ends_with("(at dashboard_uid)"), "{said:?}");
}

#[tokio::test]
async fn where_grafana_serves_the_role_based_api_permissions_go_through_it_asked_once() {
    let h = Harness::start(&["--access-control"]).await;
    let user = h.emu.sign_in("alice", "alice@example.com", "Alice", "Viewer");
    let (_, team) = h.grafana("POST", "/api/teams", Some(serde_json::json!({"name": "SRE"}))).await;
    let team = team["teamId"].as_i64().unwrap();
    assert_eq!(h.grafana("POST", "/api/folders", Some(serde_json::json!({"uid": "ops", "title": "Ops"}))).await.0, 200);
    let body = serde_json::json!({"dashboard": {"uid": "in-ops", "title": "In ops"}, "folderUid": "ops"});
    assert_eq!(h.grafana("POST", "/api/dashboards/db", Some(body)).await.0, 200);

    let grants = Value::Set(vec![
        grant(Some("Editor"), "0", "0", "Edit"),
        grant(None, &format!("1:{team}"), "0", "View"),
        grant(None, "0", &user.to_string(), "Admin"),
    ]);
    let config = h.config("grafana_folder_permission", &[("folder_uid", s("ops")), ("permissions", grants.clone())]);
    let (folder, said) = h.plan_apply("grafana_folder_permission", None, &config).await;
    said.assert_clean();
    assert_eq!(folder.state.get("permissions"), &grants);
    let want = vec![("".to_string(), 0, user, 4), ("".to_string(), team, 0, 1), ("Editor".to_string(), 0, 0, 2)];
    assert_eq!(held(&h, "/api/folders/ops/permissions").await, want, "exactly Editor=Edit, team=View, user=Admin");

    // A dashboard's own list: the folder's grants, flagged inherited there, are not its own.
    let grants = Value::Set(vec![grant(Some("Editor"), "0", "0", "View")]);
    let config =
        h.config("grafana_dashboard_permission", &[("dashboard_uid", s("in-ops")), ("permissions", grants.clone())]);
    let (dash, said) = h.plan_apply("grafana_dashboard_permission", None, &config).await;
    said.assert_clean();
    assert_eq!(dash.state.get("permissions"), &grants);
    let (planned, _, _, said) = h.plan("grafana_dashboard_permission", Some(&dash), &config).await;
    said.assert_clean();
    assert_eq!(planned, dash.state, "nothing to do");

    // A grant added in Grafana is drift, and the apply takes it away.
    let extra = serde_json::json!({"permissions": [{"builtInRole": "Viewer", "permission": "Edit"}]});
    assert_eq!(h.grafana("POST", "/api/access-control/dashboards/in-ops", Some(extra)).await.0, 200);
    let (drifted, _) = h.read("grafana_dashboard_permission", &dash).await;
    assert_ne!(drifted.state, dash.state);
    let (healed, said) = h.plan_apply("grafana_dashboard_permission", Some(&drifted), &config).await;
    said.assert_clean();
    assert_eq!(healed.state, dash.state);

    // Destroyed: none of its own in a folder; the folder back at Grafana's defaults.
    h.destroy("grafana_dashboard_permission", &healed).await.assert_clean();
    h.destroy("grafana_folder_permission", &folder).await.assert_clean();
    let defaults = vec![("Editor".to_string(), 0, 0, 2), ("Viewer".to_string(), 0, 0, 1)];
    assert_eq!(held(&h, "/api/folders/ops/permissions").await, defaults);
    assert_eq!(held(&h, "/api/dashboards/uid/in-ops/permissions").await, defaults, "the folder's only");

    // Asked once for the whole run; every write through the role-based API.
    let counts = (
        h.emu.count("GET", Some("/api/access-control/:resource/description")),
        h.emu.count("POST", Some("/api/folders/:uid/permissions")),
        h.emu.count("POST", Some("/api/dashboards/uid/:uid/permissions")),
        h.emu.count("POST", Some("/api/access-control/:resource/:uid")) >= 5,
    );
    assert_eq!(counts, (1, 0, 0, true));
}

#[tokio::test]
async fn permission_lists_are_listed_as_their_folders_and_dashboards_are_with_their_filters() {
    let h = Harness::start(&["--grafana-version", "12.4"]).await;
    for (uid, title, parent) in [("a", "Team A", ""), ("x", "Service X", "a")] {
        let body = serde_json::json!({"uid": uid, "title": title, "parentUid": parent});
        assert_eq!(h.grafana("POST", "/api/folders", Some(body)).await.0, 200);
    }
    let body = serde_json::json!({"dashboard": {"uid": "lat", "title": "Latency"}, "folderUid": "x"});
    assert_eq!(h.grafana("POST", "/api/dashboards/db", Some(body)).await.0, 200);
    // Every folder at every level (in search order, by title), named by its path; an import of
    // the first is its object.
    h.assert_listed_as_imported(
        "grafana_folder_permission",
        &["Permissions of Team A/Service X", "Permissions of Team A"],
    )
    .await;
    // `grafana_folder`'s filter: the folders directly in one.
    let (found, said) = h.list("grafana_folder_permission", &[("parent_uid", s("a"))], false, 100).await;
    said.assert_clean();
    assert_eq!(found.iter().map(|f| f.uid.as_str()).collect::<Vec<_>>(), ["x"]);
    h.assert_listed_as_imported("grafana_dashboard_permission", &["Permissions of Latency (Team A/Service X)"]).await;
}
