//! `grafana_dashboard` and its lookups, as Terraform drives them.

use serde_json::json;

use super::{Harness, s};
use crate::value::Value;

#[tokio::test]
async fn a_dashboard_text_of_the_same_meaning_plans_no_change_and_a_new_title_does() {
    let h = Harness::start(&[]).await;
    let text = r#"{"title":"Svc","uid":"svc","panels":[{"id":1,"type":"stat","title":"p"}]}"#;
    let config = h.config("grafana_dashboard", &[("config_json", s(text))]);
    let (created, said) = h.plan_apply("grafana_dashboard", None, &config).await;
    said.assert_clean();
    // Keys reordered and spaced: the same dashboard, so the prior text stays.
    let same = r#"{ "panels": [ { "title": "p", "type": "stat", "id": 1 } ], "uid": "svc", "title": "Svc" }"#;
    let (planned, replace, _, said) =
        h.plan("grafana_dashboard", Some(&created), &h.config("grafana_dashboard", &[("config_json", s(same))])).await;
    said.assert_clean();
    assert_eq!(planned, created.state);
    assert!(replace.is_empty());
    // Another title: the text and the version Grafana will give change, in place.
    let retitled = text.replace("\"Svc\"", "\"Svc v2\"");
    let (planned, replace, _, _) = h
        .plan("grafana_dashboard", Some(&created), &h.config("grafana_dashboard", &[("config_json", s(&retitled))]))
        .await;
    assert_eq!(planned.get("config_json"), &s(&retitled));
    assert!(matches!(planned.get("version"), Value::Unknown(_)) && replace.is_empty(), "{planned:?}");
}

#[tokio::test]
async fn a_dashboard_deleted_in_grafana_is_removed_from_state_with_a_warning() {
    let h = Harness::start(&[]).await;
    let config = h.config("grafana_dashboard", &[("config_json", s(r#"{"title":"Gone soon","uid":"gone"}"#))]);
    let (created, said) = h.plan_apply("grafana_dashboard", None, &config).await;
    said.assert_clean();
    assert_eq!(h.grafana("DELETE", "/api/dashboards/uid/gone", None).await.0, 200);
    let (read, said) = h.read("grafana_dashboard", &created).await;
    assert!(read.state.is_null() && said.errors.is_empty(), "{read:?} {said:?}");
    assert!(said.warnings[0].starts_with("grafana_dashboard no longer exists in Grafana"), "{said:?}");
    // And the next plan creates it again.
    let (planned, _, _, said) = h.plan("grafana_dashboard", None, &config).await;
    said.assert_clean();
    assert_eq!(planned.get("uid"), &s("gone"));
}

#[tokio::test]
async fn imports_take_uid_or_1_uid_and_the_next_plan_is_empty() {
    let h = Harness::start(&[]).await;
    let body = json!({"dashboard": {"title": "Made in the UI", "uid": "ui", "panels": []}});
    assert_eq!(h.grafana("POST", "/api/dashboards/db", Some(body)).await.0, 200);
    for id in ["ui", "1:ui"] {
        let (stored, said) = h.import("grafana_dashboard", id).await;
        said.assert_clean();
        let stored = stored.expect("imported");
        assert_eq!(stored.state.get("uid"), &s("ui"), "{id}");
        let text = stored.state.get("config_json").as_str().unwrap().to_string();
        // The configuration a person writes from it plans nothing.
        let config = h.config("grafana_dashboard", &[("config_json", s(&text))]);
        let (planned, replace, _, said) = h.plan("grafana_dashboard", Some(&stored), &config).await;
        said.assert_clean();
        assert!(replace.is_empty() && planned == stored.state, "{id}: {planned:?}");
    }
}

#[tokio::test]
async fn on_grafana_10_4_a_folders_uid_imported_as_a_dashboard_is_refused_naming_the_folder_type() {
    let h = Harness::start(&["--grafana-version", "10.4"]).await;
    h.grafana("POST", "/api/folders", Some(json!({"uid": "team", "title": "Team"}))).await;
    let (stored, said) = h.import("grafana_dashboard", "team").await;
    assert!(stored.as_ref().is_none_or(|s| s.state.is_null()), "{stored:?}");
    assert!(said.errors.iter().any(|e| e.contains("`team` is a folder's uid, not a dashboard's")), "{said:?}");
    assert!(said.errors.iter().any(|e| e.contains("terraform import grafana_folder")), "{said:?}");
}

#[tokio::test]
async fn an_edit_in_grafana_is_drift_and_the_next_apply_puts_the_configuration_back() {
    let h = Harness::start(&[]).await;
    let text = r#"{"title":"Ours","uid":"edited","panels":[]}"#;
    let config = h.config("grafana_dashboard", &[("config_json", s(text))]);
    let (created, said) = h.plan_apply("grafana_dashboard", None, &config).await;
    said.assert_clean();
    let theirs = json!({"dashboard": {"title": "Theirs", "uid": "edited", "panels": []}, "overwrite": true});
    assert_eq!(h.grafana("POST", "/api/dashboards/db", Some(theirs)).await.0, 200);
    let (read, said) = h.read("grafana_dashboard", &created).await;
    said.assert_clean();
    assert!(read.state.get("config_json").as_str().is_some_and(|t| t.contains("Theirs")), "{read:?}");
    assert_eq!(read.state.get("version"), &Value::int(2));
    let (after, said) = h.plan_apply("grafana_dashboard", Some(&read), &config).await;
    said.assert_clean();
    assert_eq!(after.state.get("config_json"), &s(text));
    assert_eq!(h.grafana("GET", "/api/dashboards/uid/edited", None).await.1["dashboard"]["title"], "Ours");
}

#[tokio::test]
async fn a_dashboard_moved_into_a_folder_keeps_its_id_and_history() {
    let h = Harness::start(&[]).await;
    h.grafana("POST", "/api/folders", Some(json!({"uid": "team", "title": "Team"}))).await;
    let text = r#"{"title":"Mover","uid":"mover","panels":[]}"#;
    let (created, said) =
        h.plan_apply("grafana_dashboard", None, &h.config("grafana_dashboard", &[("config_json", s(text))])).await;
    said.assert_clean();
    let id = created.state.get("dashboard_id").clone();
    let moved = h.config("grafana_dashboard", &[("config_json", s(text)), ("folder", s("team"))]);
    let (_, replace, _, said) = h.plan("grafana_dashboard", Some(&created), &moved).await;
    said.assert_clean();
    assert!(replace.is_empty(), "a move is not a replacement: {replace:?}");
    let (after, said) = h.plan_apply("grafana_dashboard", Some(&created), &moved).await;
    said.assert_clean();
    assert_eq!((after.state.get("dashboard_id"), after.state.get("folder")), (&id, &s("team")));
    let (_, held) = h.grafana("GET", "/api/dashboards/uid/mover", None).await;
    assert_eq!((held["meta"]["folderUid"].as_str(), held["meta"]["version"].as_i64()), (Some("team"), Some(2)));
}

#[tokio::test]
async fn a_uid_another_dashboard_holds_is_refused_without_overwrite_and_taken_with_it() {
    let h = Harness::start(&[]).await;
    let theirs = json!({"dashboard": {"title": "Theirs", "uid": "taken", "panels": []}});
    assert_eq!(h.grafana("POST", "/api/dashboards/db", Some(theirs)).await.0, 200);
    let text = r#"{"title":"Ours","uid":"taken","panels":[]}"#;
    let config = h.config("grafana_dashboard", &[("config_json", s(text))]);
    let (stored, said) = h.plan_apply("grafana_dashboard", None, &config).await;
    assert!(stored.state.is_null(), "{stored:?}");
    assert!(said.errors.len() == 1 && said.errors[0].contains("overwrite"), "{said:?}");
    assert_eq!(h.grafana("GET", "/api/dashboards/uid/taken", None).await.1["dashboard"]["title"], "Theirs");
    let config = h.config("grafana_dashboard", &[("config_json", s(text)), ("overwrite", Value::Bool(true))]);
    let (stored, said) = h.plan_apply("grafana_dashboard", None, &config).await;
    said.assert_clean();
    assert_eq!(stored.state.get("uid"), &s("taken"));
    assert_eq!(h.grafana("GET", "/api/dashboards/uid/taken", None).await.1["dashboard"]["title"], "Ours");
}

#[tokio::test]
async fn config_json_that_is_not_a_json_object_is_refused_at_validate_naming_it() {
    let h = Harness::start(&[]).await;
    for bad in ["{\"title\": ", "[1, 2]", "\"just a string\""] {
        let said = h.validate("grafana_dashboard", &h.config("grafana_dashboard", &[("config_json", s(bad))])).await;
        assert!(said.errors.len() == 1 && said.errors[0].ends_with("(at config_json)"), "{bad}: {said:?}");
    }
}

#[tokio::test]
async fn a_destroy_deletes_the_dashboard_and_one_already_gone_is_fine() {
    let h = Harness::start(&[]).await;
    let config = h.config("grafana_dashboard", &[("config_json", s(r#"{"title":"Short-lived","uid":"brief"}"#))]);
    let (created, said) = h.plan_apply("grafana_dashboard", None, &config).await;
    said.assert_clean();
    h.destroy("grafana_dashboard", &created).await.assert_clean();
    assert_eq!(h.grafana("GET", "/api/dashboards/uid/brief", None).await.0, 404);
    h.destroy("grafana_dashboard", &created).await.assert_clean();
}

#[tokio::test]
async fn the_dashboard_lookups_find_by_uid_and_by_tag() {
    let h = Harness::start(&[]).await;
    for (uid, tags) in [("a", json!(["prod"])), ("b", json!(["prod", "db"])), ("c", json!(["dev"]))] {
        let body = json!({"dashboard": {"title": format!("Dash {uid}"), "uid": uid, "tags": tags}});
        assert_eq!(h.grafana("POST", "/api/dashboards/db", Some(body)).await.0, 200);
    }
    let (one, said) = h.read_data("grafana_dashboard", &[("uid", s("b"))]).await;
    said.assert_clean();
    assert_eq!(one.get("title"), &s("Dash b"));
    let (prod, said) = h.read_data("grafana_dashboards", &[("tags", Value::List(vec![s("prod")]))]).await;
    said.assert_clean();
    assert_eq!(prod.get("uids"), &Value::List(vec![s("a"), s("b")]), "{prod:?}");
    let (_, said) = h.read_data("grafana_dashboard", &[("uid", s("none"))]).await;
    assert!(said.errors.len() == 1 && said.errors[0].contains("none"), "{said:?}");
}
