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
