//! What every resource type does alike: plan-time checks, creates whose answers are lost.

use super::{Harness, s};

#[tokio::test]
async fn a_lost_create_answer_is_confirmed_by_reading_back_for_every_type() {
    // Every write is acted on and its answer dropped: only reading back can tell.
    let h = Harness::start(&["--drop-rate", "1.0"]).await;
    let folder = h.config("grafana_folder", &[("title", s("Lost"))]);
    let (f, said) = h.plan_apply("grafana_folder", None, &folder).await;
    assert!(said.errors.is_empty(), "{said:?}");
    assert_eq!(f.state.get("title"), &s("Lost"));
    let dashboard = h.config("grafana_dashboard", &[("config_json", s(r#"{"title":"Lost too","panels":[]}"#))]);
    let (d, said) = h.plan_apply("grafana_dashboard", None, &dashboard).await;
    assert!(said.errors.is_empty(), "{said:?}");
    assert!(d.state.get("uid").as_str().is_some_and(|u| u.starts_with("tf")), "{d:?}");
    let ds = h.config(
        "grafana_data_source",
        &[("name", s("Lost DS")), ("type", s("prometheus")), ("url", s("https://p.example"))],
    );
    let (x, said) = h.plan_apply("grafana_data_source", None, &ds).await;
    assert!(said.errors.is_empty(), "{said:?}");
    assert_eq!(x.state.get("name"), &s("Lost DS"));
    // Exactly one of each: confirmed, never repeated.
    let stats = h.stats().await;
    let held = &stats["workspaces"][&h.emu.workspace_id];
    assert_eq!(
        (held["folders"].as_u64(), held["dashboards"].as_u64(), held["datasources"].as_u64()),
        (Some(1), Some(1), Some(1))
    );
}

#[tokio::test]
async fn plan_time_checks_name_the_attribute_and_make_no_call() {
    let h = Harness::start(&[]).await;
    let before = h.stats().await["requests"].clone();
    let folder = h.config("grafana_folder", &[("title", s("T")), ("org_id", s("2")), ("uid", s("not a uid!"))]);
    let said = h.validate("grafana_folder", &folder).await;
    assert!(
        said.errors.iter().any(|e| e.starts_with("Unsupported organisation") && e.ends_with("(at org_id)")),
        "{said:?}"
    );
    assert!(said.errors.iter().any(|e| e.ends_with("(at uid)")), "{said:?}");
    let long = "n".repeat(191);
    let ds = h.config("grafana_data_source", &[("name", s(&long)), ("type", s("prometheus"))]);
    let said = h.validate("grafana_data_source", &ds).await;
    assert!(said.errors.iter().any(|e| e.contains("191 bytes long") && e.ends_with("(at name)")), "{said:?}");
    assert!(!said.errors.iter().any(|e| e.contains(&long)), "the whole value is echoed: {said:?}");
    let dashboard = h.config("grafana_dashboard", &[("config_json", s(r#"{"panels":[]}"#))]);
    let said = h.validate("grafana_dashboard", &dashboard).await;
    assert!(said.errors.iter().any(|e| e.ends_with("(at config_json)")), "a model without a title: {said:?}");
    assert_eq!(h.stats().await["requests"], before, "validation called Grafana");
}
