//! `grafana_folder` and its lookup, as Terraform drives them.

use serde_json::json;

use super::{Harness, Stored, s};
use crate::value::Value;

#[tokio::test]
async fn folder_create_plan_rename_replace_and_vanish() {
    let h = Harness::start(&[]).await;
    let config = h.config("grafana_folder", &[("title", s("Team"))]);
    let (created, said) = h.plan_apply("grafana_folder", None, &config).await;
    said.assert_clean();
    let uid = created.state.get("uid").as_str().expect("a uid chosen at create").to_string();
    assert!(uid.starts_with("tf") && uid.len() == 26, "{uid}");
    assert_eq!(created.state.get("id"), &s(&format!("1:{uid}")));
    assert!(created.identity.is_some(), "every new state has its identity");
    let (status, folder) = h.grafana("GET", &format!("/api/folders/{uid}"), None).await;
    assert_eq!((status, folder["title"].as_str()), (200, Some("Team")));

    // The same configuration plans the state exactly, with its identity.
    let (planned, replace, carried, said) = h.plan("grafana_folder", Some(&created), &config).await;
    said.assert_clean();
    assert_eq!(planned, created.state);
    assert!(replace.is_empty() && carried.identity == created.identity);

    // A rename is an update in place.
    let renamed = h.config("grafana_folder", &[("title", s("Team B"))]);
    let (updated, said) = h.plan_apply("grafana_folder", Some(&created), &renamed).await;
    said.assert_clean();
    assert_eq!(updated.state.get("uid"), created.state.get("uid"));
    assert_eq!(h.grafana("GET", &format!("/api/folders/{uid}"), None).await.1["title"], "Team B");

    // A configured uid that differs replaces the folder.
    let moved = h.config("grafana_folder", &[("title", s("Team B")), ("uid", s("team-b"))]);
    let (_, replace, _, said) = h.plan("grafana_folder", Some(&updated), &moved).await;
    said.assert_clean();
    assert_eq!(replace, ["uid"]);

    // Deleted in Grafana: the refresh removes it from the state with a warning.
    assert_eq!(h.grafana("DELETE", &format!("/api/folders/{uid}"), None).await.0, 200);
    let (read, said) = h.read("grafana_folder", &updated).await;
    assert!(read.state.is_null() && read.identity.is_none(), "{read:?}");
    assert!(said.errors.is_empty(), "{said:?}");
    assert!(said.warnings.iter().any(|w| w.starts_with("grafana_folder no longer exists in Grafana")), "{said:?}");
}

#[tokio::test]
async fn imports_take_uid_or_1_uid_and_refuse_other_organisations() {
    let h = Harness::start(&[]).await;
    h.grafana("POST", "/api/folders", Some(json!({"uid": "ops", "title": "Ops"}))).await;
    for id in ["ops", "1:ops"] {
        let (stored, said) = h.import("grafana_folder", id).await;
        said.assert_clean();
        let stored: Stored = stored.expect("imported");
        assert_eq!((stored.state.get("uid"), stored.state.get("title")), (&s("ops"), &s("Ops")), "{id}");
    }
    let (stored, said) = h.import("grafana_folder", "2:ops").await;
    assert!(stored.is_none(), "{stored:?}");
    assert!(said.errors[0].contains("organisation \"2\" is not supported"), "{said:?}");
}

#[tokio::test]
async fn an_import_of_a_uid_grafana_does_not_hold_stores_nothing() {
    let h = Harness::start(&[]).await;
    let (stored, said) = h.import("grafana_folder", "nope").await;
    // Terraform refuses an import whose read finds nothing ("Cannot import non-existent
    // remote object"): the provider must answer no state for it, and no error of its own.
    assert!(stored.as_ref().is_none_or(|s| s.state.is_null()), "{stored:?}");
    assert!(said.errors.is_empty(), "{said:?}");
}

#[tokio::test]
async fn the_official_providers_folder_state_upgrades_with_blank_strings_as_null() {
    let h = Harness::start(&[]).await;
    let official = concat!(
        r#"{"id":"0:ops","org_id":"0","uid":"ops","title":"Ops","parent_folder_uid":"","#,
        r#""url":"http://g/dashboards/f/ops/ops","prevent_destroy_if_not_empty":false}"#
    );
    let (v, said) = h.upgrade("grafana_folder", 0, official).await;
    said.assert_clean();
    assert_eq!((v.get("uid"), v.get("id"), v.get("org_id")), (&s("ops"), &s("0:ops"), &s("0")));
    assert!(v.get("parent_folder_uid").is_null(), "\"\" is SDKv2's unset: {v:?}");
    let (_, said) = h.upgrade("grafana_folder", 99, official).await;
    assert!(said.errors[0].starts_with("Unsupported state version"), "{said:?}");
}

#[tokio::test]
async fn a_folder_moved_under_a_parent_is_an_update_in_place() {
    let h = Harness::start(&[]).await;
    let parent = h.config("grafana_folder", &[("title", s("Parent")), ("uid", s("parent"))]);
    let (_, said) = h.plan_apply("grafana_folder", None, &parent).await;
    said.assert_clean();
    let child = h.config("grafana_folder", &[("title", s("Child")), ("uid", s("child"))]);
    let (c, said) = h.plan_apply("grafana_folder", None, &child).await;
    said.assert_clean();
    let moved =
        h.config("grafana_folder", &[("title", s("Child")), ("uid", s("child")), ("parent_folder_uid", s("parent"))]);
    let (_, replace, _, said) = h.plan("grafana_folder", Some(&c), &moved).await;
    said.assert_clean();
    assert!(replace.is_empty(), "a move is not a replacement: {replace:?}");
    let (after, said) = h.plan_apply("grafana_folder", Some(&c), &moved).await;
    said.assert_clean();
    assert_eq!(after.state.get("parent_folder_uid"), &s("parent"));
    assert_eq!(h.grafana("GET", "/api/folders/child", None).await.1["parentUid"], "parent");
}

#[tokio::test]
async fn a_title_that_differs_only_in_surrounding_whitespace_plans_nothing_and_keeps_the_text() {
    let h = Harness::start(&[]).await;
    let spaced = h.config("grafana_folder", &[("title", s("  Spaced  "))]);
    let (created, said) = h.plan_apply("grafana_folder", None, &spaced).await;
    said.assert_clean();
    assert_eq!(created.state.get("title"), &s("  Spaced  "), "the configuration's text is kept");
    let uid = created.state.get("uid").as_str().unwrap().to_string();
    assert_eq!(h.grafana("GET", &format!("/api/folders/{uid}"), None).await.1["title"], "Spaced");
    let (read, said) = h.read("grafana_folder", &created).await;
    said.assert_clean();
    assert_eq!(read.state, created.state, "Grafana's trimmed title is the same title");
    let (planned, replace, _, said) =
        h.plan("grafana_folder", Some(&read), &h.config("grafana_folder", &[("title", s("Spaced "))])).await;
    said.assert_clean();
    assert!(replace.is_empty(), "{replace:?}");
    assert_eq!(planned.get("uid"), &s(&uid));
}

#[tokio::test]
async fn a_rename_in_grafana_is_drift_that_the_next_plan_sets_back() {
    let h = Harness::start(&[]).await;
    let config = h.config("grafana_folder", &[("title", s("Ours")), ("uid", s("drifty"))]);
    let (created, said) = h.plan_apply("grafana_folder", None, &config).await;
    said.assert_clean();
    let body = json!({"title": "Theirs", "overwrite": true});
    assert_eq!(h.grafana("PUT", "/api/folders/drifty", Some(body)).await.0, 200);
    let (read, said) = h.read("grafana_folder", &created).await;
    said.assert_clean();
    assert_eq!(read.state.get("title"), &s("Theirs"), "the refresh shows what Grafana holds");
    let (planned, replace, _, said) = h.plan("grafana_folder", Some(&read), &config).await;
    said.assert_clean();
    assert!(replace.is_empty() && planned.get("title") == &s("Ours"), "{planned:?} {replace:?}");
    let (after, said) = h.plan_apply("grafana_folder", Some(&read), &config).await;
    said.assert_clean();
    assert_eq!(after.state.get("title"), &s("Ours"));
    assert_eq!(h.grafana("GET", "/api/folders/drifty", None).await.1["title"], "Ours");
}

#[tokio::test]
async fn a_folder_that_holds_a_dashboard_is_kept_when_prevent_destroy_if_not_empty_is_set() {
    // Moved from a real-Terraform test (`folder_prevent_destroy_if_not_empty`), its assertions whole.
    let h = Harness::start(&[]).await;
    let keep = |guard: bool| {
        let mut set = vec![("title", s("Keep")), ("uid", s("keep"))];
        if guard {
            set.push(("prevent_destroy_if_not_empty", Value::Bool(true)));
        }
        h.config("grafana_folder", &set)
    };
    let (folder, said) = h.plan_apply("grafana_folder", None, &keep(true)).await;
    said.assert_clean();
    let d = json!({"dashboard": {"title": "Inside"}, "folderUid": "keep"});
    assert_eq!(h.grafana("POST", "/api/dashboards/db", Some(d)).await.0, 200);
    let said = h.destroy("grafana_folder", &folder).await;
    assert!(said.errors.len() == 1, "{said:?}");
    let e = &said.errors[0];
    assert!(
        e.contains("Folder is not empty") && e.contains("\"Inside\"") && e.contains("prevent_destroy_if_not_empty")
    );
    let held = |stats: &serde_json::Value, kind: &str| stats["workspaces"][&h.emu.workspace_id][kind].as_u64();
    let stats = h.stats().await;
    assert_eq!((held(&stats, "folders"), held(&stats, "dashboards")), (Some(1), Some(1)), "nothing deleted");
    // Turning the guard off is an update in place with no call to Grafana; then the destroy
    // moves what the folder holds to the General folder and deletes only the folder.
    let writes = |stats: &serde_json::Value| {
        stats["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["method"] != "GET")
            .map(|r| r["count"].as_u64().unwrap())
            .sum::<u64>()
    };
    let before = writes(&h.stats().await);
    let (unguarded, said) = h.plan_apply("grafana_folder", Some(&folder), &keep(false)).await;
    said.assert_clean();
    assert_eq!(unguarded.state.get("prevent_destroy_if_not_empty"), &Value::Bool(false));
    assert_eq!(writes(&h.stats().await), before, "turning the guard off must not call Grafana");
    h.destroy("grafana_folder", &unguarded).await.assert_clean();
    let stats = h.stats().await;
    assert_eq!(
        (held(&stats, "folders"), held(&stats, "dashboards")),
        (Some(0), Some(1)),
        "a dashboard is never deleted"
    );
    let (_, hits) = h.grafana("GET", "/api/search?type=dash-db&query=Inside", None).await;
    assert_eq!(hits[0]["title"], "Inside");
    assert!(hits[0]["folderUid"].as_str().unwrap_or("").is_empty(), "moved to the General folder: {hits}");
}

#[tokio::test]
async fn a_destroy_of_a_folder_already_gone_succeeds() {
    let h = Harness::start(&[]).await;
    let config = h.config("grafana_folder", &[("title", s("Soon gone")), ("uid", s("soon"))]);
    let (folder, said) = h.plan_apply("grafana_folder", None, &config).await;
    said.assert_clean();
    assert_eq!(h.grafana("DELETE", "/api/folders/soon", None).await.0, 200);
    h.destroy("grafana_folder", &folder).await.assert_clean();
}

#[tokio::test]
async fn a_parent_that_does_not_exist_is_refused_at_apply_and_nothing_is_created() {
    let h = Harness::start(&[]).await;
    let orphan =
        h.config("grafana_folder", &[("title", s("Orphan")), ("uid", s("orphan")), ("parent_folder_uid", s("nope"))]);
    let (_, _, carried, said) = h.plan("grafana_folder", None, &orphan).await;
    assert!(said.errors.is_empty(), "{said:?}");
    let (stored, said) = h.apply("grafana_folder", None, &carried, &orphan).await;
    assert!(stored.state.is_null(), "{stored:?}");
    assert!(said.errors.len() == 1, "{said:?}");
    let e = &said.errors[0];
    assert!(e.starts_with("The parent folder does not exist") && e.ends_with("(at parent_folder_uid)"), "{e}");
    assert!(e.contains("\"nope\"") && e.contains("grafana_folder.<name>.uid"), "{e}");
    assert_eq!(h.grafana("GET", "/api/folders/orphan", None).await.0, 404);
    // A move under a parent that does not exist: the same, and the folder stays where it was.
    let top = h.config("grafana_folder", &[("title", s("Top")), ("uid", s("top"))]);
    let (top_state, said) = h.plan_apply("grafana_folder", None, &top).await;
    said.assert_clean();
    let under = h.config("grafana_folder", &[("title", s("Top")), ("uid", s("top")), ("parent_folder_uid", s("nope"))]);
    let (_, said) = h.plan_apply("grafana_folder", Some(&top_state), &under).await;
    assert!(said.errors.len() == 1 && said.errors[0].ends_with("(at parent_folder_uid)"), "{said:?}");
    assert!(said.errors[0].starts_with("The parent folder does not exist"), "{said:?}");
    assert_eq!(h.grafana("GET", "/api/folders/top", None).await.1["parentUid"], serde_json::Value::Null);
}

#[tokio::test]
async fn the_folder_lookup_finds_by_uid_or_title_and_says_when_there_is_none() {
    let h = Harness::start(&[]).await;
    h.grafana("POST", "/api/folders", Some(json!({"uid": "ops", "title": "Ops"}))).await;
    let (by_uid, said) = h.read_data("grafana_folder", &[("uid", s("ops"))]).await;
    said.assert_clean();
    assert_eq!(by_uid.get("title"), &s("Ops"));
    let (by_title, said) = h.read_data("grafana_folder", &[("title", s("Ops"))]).await;
    said.assert_clean();
    assert_eq!(by_title.get("uid"), &s("ops"));
    assert!(by_title.get("url").as_str().is_some_and(|u| u.ends_with("/dashboards/f/ops/ops")), "{by_title:?}");
    let (_, said) = h.read_data("grafana_folder", &[("title", s("Nobody"))]).await;
    assert!(said.errors.len() == 1 && said.errors[0].contains("Nobody"), "{said:?}");
}
