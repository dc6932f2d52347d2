//! `grafana_data_source` (and its other name, `grafana_datasource`) and its lookup, as
//! Terraform drives them.

use serde_json::json;

use super::{Harness, s};
use crate::value::Value;

const TYPE: &str = "grafana_data_source";

#[tokio::test]
async fn a_data_source_secret_reaches_grafana_and_never_the_state() {
    let h = Harness::start(&[]).await;
    let secret = "s3cret-in-process";
    let config = h.config(
        TYPE,
        &[
            ("name", s("AMP")),
            ("type", s("prometheus")),
            ("url", s("https://aps.example")),
            ("secure_json_data_encoded_wo", s(&format!(r#"{{"basicAuthPassword":"{secret}"}}"#))),
            ("secure_json_data_encoded_wo_version", Value::int(1)),
        ],
    );
    assert!(h.validate(TYPE, &config).await.errors.is_empty());
    let (created, said) = h.plan_apply(TYPE, None, &config).await;
    said.assert_clean();
    let ty = h.schema(TYPE).ty();
    let wire = created.state.to_msgpack(&ty);
    assert!(!wire.windows(secret.len()).any(|w| w == secret.as_bytes()), "the secret is in the state");
    assert_eq!(created.state.get("secure_json_fields"), &Value::List(vec![s("basicAuthPassword")]));
    let uid = created.state.get("uid").as_str().unwrap().to_string();
    let (_, held) = h.grafana("GET", &format!("/api/datasources/uid/{uid}"), None).await;
    assert_eq!(held["secureJsonFields"]["basicAuthPassword"], true);
}

#[tokio::test]
async fn regression_a_lost_create_on_a_taken_uid_tainted_someone_elses_data_source() {
    let h = Harness::start(&["--drop-rate", "1.0"]).await;
    // Made outside Terraform, before: the create meets them (and its answer is lost).
    h.grafana("POST", "/api/folders", Some(json!({"uid": "taken", "title": "Someone else's"}))).await;
    let body =
        json!({"uid": "taken-ds", "name": "Theirs", "type": "loki", "access": "proxy", "url": "https://l.example"});
    h.grafana("POST", "/api/datasources", Some(body)).await;
    let folder = h.config("grafana_folder", &[("title", s("Mine")), ("uid", s("taken"))]);
    let (f, said) = h.plan_apply("grafana_folder", None, &folder).await;
    assert!(f.state.is_null() && said.errors.len() == 1, "no state, one error: {f:?} {said:?}");
    let ds = h.config(TYPE, &[("name", s("Mine")), ("type", s("prometheus")), ("uid", s("taken-ds"))]);
    let (x, said) = h.plan_apply(TYPE, None, &ds).await;
    assert!(x.state.is_null(), "a tainted state would make the next apply delete their data source: {x:?}");
    assert!(said.errors.len() == 1 && said.errors[0].contains("already exists"), "{said:?}");
    assert_eq!(h.grafana("GET", "/api/datasources/uid/taken-ds", None).await.1["name"], "Theirs");
    assert_eq!(h.grafana("GET", "/api/folders/taken", None).await.1["title"], "Someone else's");
}

#[tokio::test]
async fn another_type_or_name_is_an_update_in_place_that_keeps_the_uid() {
    // As the official provider: `type` is not ForceNew, and Grafana takes another type in a PUT.
    let h = Harness::start(&[]).await;
    let config = h.config(TYPE, &[("name", s("Metrics")), ("type", s("prometheus")), ("uid", s("metrics"))]);
    let (created, said) = h.plan_apply(TYPE, None, &config).await;
    said.assert_clean();
    let id = h.grafana("GET", "/api/datasources/uid/metrics", None).await.1["id"].clone();
    let loki = h.config(TYPE, &[("name", s("Logs")), ("type", s("loki")), ("uid", s("metrics"))]);
    let (_, replace, _, said) = h.plan(TYPE, Some(&created), &loki).await;
    said.assert_clean();
    assert!(replace.is_empty(), "{replace:?}");
    let (after, said) = h.plan_apply(TYPE, Some(&created), &loki).await;
    said.assert_clean();
    assert_eq!((after.state.get("uid"), after.state.get("type")), (&s("metrics"), &s("loki")));
    let (_, held) = h.grafana("GET", "/api/datasources/uid/metrics", None).await;
    assert_eq!((&held["name"], &held["type"], &held["id"]), (&json!("Logs"), &json!("loki"), &id));
    // A changed uid is the one replacement.
    let moved = h.config(TYPE, &[("name", s("Logs")), ("type", s("loki")), ("uid", s("logs"))]);
    let (_, replace, _, said) = h.plan(TYPE, Some(&after), &moved).await;
    said.assert_clean();
    assert_eq!(replace, ["uid"]);
}

#[tokio::test]
async fn json_data_of_the_same_meaning_plans_nothing() {
    let h = Harness::start(&[]).await;
    let with =
        |text: &str| h.config(TYPE, &[("name", s("CW")), ("type", s("cloudwatch")), ("json_data_encoded", s(text))]);
    let (created, said) =
        h.plan_apply(TYPE, None, &with(r#"{"authType":"ec2_iam_role","defaultRegion":"us-east-1"}"#)).await;
    said.assert_clean();
    let (read, said) = h.read(TYPE, &created).await;
    said.assert_clean();
    assert_eq!(read.state, created.state, "the refresh finds what the apply stored");
    let same = r#"{ "defaultRegion": "us-east-1", "authType": "ec2_iam_role" }"#;
    let (planned, replace, _, said) = h.plan(TYPE, Some(&read), &with(same)).await;
    said.assert_clean();
    assert!(replace.is_empty() && planned == read.state, "{planned:?}");
}

#[tokio::test]
async fn the_first_data_source_grafana_forces_default_plans_nothing() {
    // Moved from a real-Terraform test (`datasource_first_is_forced_default_and_plans_nothing`).
    let h = Harness::start(&[]).await;
    let config = h.config(TYPE, &[("name", s("Only")), ("type", s("loki")), ("uid", s("only"))]);
    let (created, said) = h.plan_apply(TYPE, None, &config).await;
    said.assert_clean();
    assert_eq!(h.grafana("GET", "/api/datasources/uid/only", None).await.1["isDefault"], true, "forced default");
    let (read, said) = h.read(TYPE, &created).await;
    said.assert_clean();
    let (planned, replace, _, said) = h.plan(TYPE, Some(&read), &config).await;
    said.assert_clean();
    assert!(replace.is_empty() && planned == read.state, "{planned:?}");
}

#[tokio::test]
async fn a_data_source_deleted_in_grafana_is_removed_from_state_with_a_warning() {
    let h = Harness::start(&[]).await;
    let config = h.config(TYPE, &[("name", s("Brief")), ("type", s("loki")), ("uid", s("brief"))]);
    let (created, said) = h.plan_apply(TYPE, None, &config).await;
    said.assert_clean();
    assert_eq!(h.grafana("DELETE", "/api/datasources/uid/brief", None).await.0, 200);
    let (read, said) = h.read(TYPE, &created).await;
    assert!(read.state.is_null() && said.errors.is_empty(), "{read:?} {said:?}");
    assert!(said.warnings[0].starts_with("grafana_data_source no longer exists in Grafana"), "{said:?}");
    // A destroy of what is already gone succeeds.
    h.destroy(TYPE, &created).await.assert_clean();
}

#[tokio::test]
async fn an_import_by_uid_plans_nothing_for_the_configuration_it_describes() {
    let h = Harness::start(&[]).await;
    let body =
        json!({"uid": "ui-ds", "name": "From the UI", "type": "loki", "access": "proxy", "url": "https://l.example"});
    assert_eq!(h.grafana("POST", "/api/datasources", Some(body)).await.0, 200);
    let (stored, said) = h.import(TYPE, "ui-ds").await;
    said.assert_clean();
    let stored = stored.expect("imported");
    assert_eq!((stored.state.get("name"), stored.state.get("url")), (&s("From the UI"), &s("https://l.example")));
    let config = h.config(
        TYPE,
        &[("name", s("From the UI")), ("type", s("loki")), ("uid", s("ui-ds")), ("url", s("https://l.example"))],
    );
    let (_, replace, _, said) = h.plan(TYPE, Some(&stored), &config).await;
    said.assert_clean();
    assert!(replace.is_empty(), "{replace:?}");
}

#[tokio::test]
async fn a_state_moves_between_the_two_type_names_and_from_the_official_provider_only() {
    let h = Harness::start(&[]).await;
    let official = concat!(
        r#"{"id":"1:cw","org_id":"1","uid":"cw","name":"CloudWatch","type":"cloudwatch","access_mode":"proxy","#,
        r#""url":"","is_default":false,"basic_auth_enabled":false,"basic_auth_username":"","database_name":"","#,
        r#""username":"","json_data_encoded":"{\"authType\":\"ec2_iam_role\"}","http_headers":null,"#,
        r#""secure_json_data_encoded":null,"private_data_source_connect_network_id":""}"#
    );
    for from in ["registry.terraform.io/grafana/grafana", "registry.terraform.io/amg-oss/grafana"] {
        for (source, target) in [("grafana_data_source", "grafana_datasource"), ("grafana_datasource", TYPE)] {
            let (moved, said) = h.move_state((from, source, 0), official, target).await;
            said.assert_clean();
            assert_eq!((moved.get("uid"), moved.get("name")), (&s("cw"), &s("CloudWatch")), "{from} {source}");
        }
    }
    let (moved, said) =
        h.move_state(("registry.terraform.io/hashicorp/aws", "grafana_datasource", 0), official, TYPE).await;
    assert!(moved.is_null() && said.errors[0].starts_with("Unsupported move"), "{said:?}");
    let (moved, said) =
        h.move_state(("registry.terraform.io/grafana/grafana", "grafana_folder", 0), official, TYPE).await;
    assert!(moved.is_null() && said.errors[0].starts_with("Unsupported move"), "{said:?}");
}

#[tokio::test]
async fn the_data_source_lookup_finds_by_name_or_uid_and_carries_no_secret() {
    let h = Harness::start(&[]).await;
    let body = json!({
        "uid": "amp", "name": "AMP", "type": "prometheus", "access": "proxy", "url": "https://aps.example",
        "secureJsonData": {"basicAuthPassword": "lookup-secret"}
    });
    assert_eq!(h.grafana("POST", "/api/datasources", Some(body)).await.0, 200);
    for by in [("name", s("AMP")), ("uid", s("amp"))] {
        let (found, said) = h.read_data(TYPE, std::slice::from_ref(&by)).await;
        said.assert_clean();
        assert_eq!((found.get("uid"), found.get("type")), (&s("amp"), &s("prometheus")), "{by:?}");
        assert!(!format!("{found:?}").contains("lookup-secret"), "{found:?}");
    }
    let (_, said) = h.read_data(TYPE, &[("name", s("Nobody"))]).await;
    assert!(said.errors.len() == 1 && said.errors[0].contains("Nobody"), "{said:?}");
}

#[tokio::test]
async fn regression_an_imported_default_data_source_planned_is_default_false_to_true() {
    // Found by operator2tf's live-mode test: the import stub said `is_default = false`, which
    // the read took for a configured `false` and kept.
    let h = Harness::start(&[]).await;
    let body = json!({"uid": "amp", "name": "AMP", "type": "prometheus", "access": "proxy", "isDefault": true});
    assert_eq!(h.grafana("POST", "/api/datasources", Some(body)).await.0, 200);
    let body = json!({"uid": "cw", "name": "CW", "type": "cloudwatch", "access": "proxy"});
    assert_eq!(h.grafana("POST", "/api/datasources", Some(body)).await.0, 200);
    for (uid, default) in [("amp", true), ("cw", false)] {
        let (stored, said) = h.import(TYPE, uid).await;
        said.assert_clean();
        let stored = stored.expect("imported");
        assert_eq!(stored.state.get("is_default"), &Value::Bool(default), "{uid}: {stored:?}");
    }
    // The imported default plans nothing with `is_default = true` or unset; `false` is a change.
    let (stored, _) = h.import(TYPE, "amp").await;
    let stored = stored.expect("imported");
    let base = [("name", s("AMP")), ("type", s("prometheus")), ("uid", s("amp")), ("access_mode", s("proxy"))];
    for (extra, planned_default) in [(Some(true), true), (None, true), (Some(false), false)] {
        let mut attrs = base.to_vec();
        if let Some(d) = extra {
            attrs.push(("is_default", Value::Bool(d)));
        }
        let config = h.config(TYPE, &attrs);
        let (planned, _, _, said) = h.plan(TYPE, Some(&stored), &config).await;
        said.assert_clean();
        assert_eq!(planned.get("is_default"), &Value::Bool(planned_default), "is_default = {extra:?}");
    }
}
