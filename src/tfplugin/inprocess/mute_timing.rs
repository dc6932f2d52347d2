//! `grafana_mute_timing`, as Terraform drives it, on both Grafana profiles.

use serde_json::json;

use super::{Harness, s};
use crate::model::{Attr, Model};
use crate::resources::mute_timing::tests::{example, strings};
use crate::resources::mute_timing::{IntervalModel, TimesModel};
use crate::value::Value;

const TYPE: &str = "grafana_mute_timing";
const ROUTE: &str = "/api/v1/provisioning/mute-timings/:name";

fn api(name: &str) -> String {
    format!("/api/v1/provisioning/mute-timings/{}", name.replace(' ', "%20"))
}

/// An empty `intervals {}` block (mutes always): Terraform sends its `times` as an empty list.
fn always() -> IntervalModel {
    IntervalModel { times: Attr::from(Vec::new()), ..Default::default() }
}

fn intervals(xs: Vec<IntervalModel>) -> Value {
    Value::List(xs.iter().map(Model::encode).collect())
}

fn config(h: &Harness, name: &str, xs: Vec<IntervalModel>) -> Value {
    h.config(TYPE, &[("name", s(name)), ("intervals", intervals(xs))])
}

#[tokio::test]
async fn a_mute_timing_lives_in_alertmanagers_form_without_a_diff_on_both_profiles() {
    for profile in ["10.4", "12.4"] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        let cfg = config(&h, "weekly", vec![example()]);
        let (created, said) = h.plan_apply(TYPE, None, &cfg).await;
        said.assert_clean();
        assert_eq!(h.emu.count("POST", Some("/api/v1/provisioning/mute-timings")), 1, "{profile}: one request");
        assert_eq!(created.state.get("intervals"), cfg.get("intervals"), "{profile}: the configured words");
        assert_eq!(
            (created.state.get("id"), created.state.get("disable_provenance")),
            (&s("1:weekly"), &Value::Bool(false))
        );
        let (_, held) = h.grafana("GET", &api("weekly"), None).await;
        assert_eq!(held["time_intervals"][0]["months"], json!(["1:3", "12"]), "{profile}");
        assert_eq!(held["time_intervals"][0]["weekdays"], json!(["monday", "tuesday:thursday"]));
        assert_eq!(held["provenance"], "api");

        // The same configuration, and the same meaning in Grafana's words, plan the state.
        let (planned, replace, _, said) = h.plan(TYPE, Some(&created), &cfg).await;
        said.assert_clean();
        assert!(replace.is_empty() && planned == created.state, "{profile}: {planned:?}");
        let mut numbers = example();
        numbers.months = strings(&["january:march", "12"]);
        let (planned, _, _, _) = h.plan(TYPE, Some(&created), &config(&h, "weekly", vec![numbers])).await;
        assert_eq!(planned, created.state, "{profile}: the same months");

        // A refresh costs one GET and changes nothing; drift in Grafana shows and is healed.
        let gets = h.emu.count("GET", Some(ROUTE));
        let (read, said) = h.read(TYPE, &created).await;
        said.assert_clean();
        assert_eq!((read.state.clone(), h.emu.count("GET", Some(ROUTE)) - gets), (created.state.clone(), 1));
        let drift = json!({"name": "weekly", "time_intervals": [{"weekdays": ["friday"]}]});
        assert_eq!(h.grafana("PUT", &api("weekly"), Some(drift)).await.0, 202);
        let (drifted, _) = h.read(TYPE, &created).await;
        let i = IntervalModel::decode(&drifted.state.get("intervals").as_list().unwrap()[0]);
        assert_eq!((i.weekdays, i.months), (strings(&["friday"]), Attr::Null), "{profile}");
        let puts = h.emu.count("PUT", Some(ROUTE));
        let (healed, said) = h.plan_apply(TYPE, Some(&drifted), &cfg).await;
        said.assert_clean();
        assert_eq!((healed.state.get("intervals"), h.emu.count("PUT", Some(ROUTE)) - puts), (cfg.get("intervals"), 1));

        // Destroy: the policy tree is read (nothing names it), then one DELETE.
        h.destroy(TYPE, &healed).await.assert_clean();
        assert_eq!(h.emu.count("DELETE", Some(ROUTE)), 1);
        assert_eq!(h.grafana("GET", &api("weekly"), None).await.0, 404, "{profile}");
        let (gone, said) = h.read(TYPE, &healed).await;
        assert!(gone.state.is_null() && said.warnings.len() == 1, "{profile}: {said:?}");
    }
}

#[tokio::test]
async fn a_delete_takes_the_timing_out_of_the_policies_naming_it_and_says_so() {
    for (profile, header) in [("12.4", None), ("12.4", Some("true")), ("10.4", None)] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        let (created, said) = h.plan_apply(TYPE, None, &config(&h, "nights", vec![always()])).await;
        said.assert_clean();
        let tree = json!({"receiver": "grafana-default-email", "mute_time_intervals": ["nights"],
            "routes": [{"receiver": "grafana-default-email", "mute_time_intervals": ["nights"], "continue": true}]});
        let headers: Vec<(&str, &str)> = header.map(|v| ("X-Disable-Provenance", v)).into_iter().collect();
        let policies = "/api/v1/provisioning/policies";
        assert_eq!(h.grafana_with("PUT", policies, Some(tree), &headers).await.0, 202);
        let said = h.destroy(TYPE, &created).await;
        assert!(said.errors.is_empty(), "{profile}: {said:?}");
        assert_eq!(said.warnings.len(), 1, "{said:?}");
        assert!(said.warnings[0].contains("named by 2 notification policies"), "{}", said.warnings[0]);
        let (_, held) = h.grafana("GET", policies, None).await;
        // Grafana leaves the emptied lists out.
        let want = json!({"receiver": "grafana-default-email",
            "routes": [{"receiver": "grafana-default-email", "continue": true}]});
        let mut without = held.clone();
        let provenance = without.as_object_mut().unwrap().remove("provenance");
        assert_eq!(without, want, "{profile}: only the name taken out");
        assert_eq!(provenance.is_none(), header.is_some(), "{profile}: the tree keeps its provenance");
        assert_eq!(h.grafana("GET", &api("nights"), None).await.0, 404);
    }
}

#[tokio::test]
async fn a_create_never_takes_over_a_mute_timing_of_the_same_name() {
    let h = Harness::start(&[]).await;
    let theirs = json!({"name": "shared", "time_intervals": [{"weekdays": ["monday:friday"]}]});
    assert_eq!(h.grafana("POST", "/api/v1/provisioning/mute-timings", Some(theirs)).await.0, 201);
    let (_, said) = h.plan_apply(TYPE, None, &config(&h, "shared", vec![example()])).await;
    assert_eq!(said.errors.len(), 1, "{said:?}");
    let e = &said.errors[0];
    assert!(e.contains("already exists") && e.contains("terraform import") && e.ends_with("(at name)"), "{e}");
    let (_, held) = h.grafana("GET", &api("shared"), None).await;
    assert_eq!(held["time_intervals"][0]["weekdays"], json!(["monday:friday"]), "untouched");
    assert_eq!(h.emu.count("PUT", Some(ROUTE)), 0);

    // Imported instead, by name or `1:name`: its own configuration plans nothing.
    for id in ["shared", "1:shared"] {
        let (imported, said) = h.import(TYPE, id).await;
        said.assert_clean();
        let imported = imported.expect("imported");
        let weekend = IntervalModel { weekdays: strings(&["Monday:Friday"]), ..always() };
        let (planned, replace, _, said) = h.plan(TYPE, Some(&imported), &config(&h, "shared", vec![weekend])).await;
        said.assert_clean();
        assert!(replace.is_empty() && planned == imported.state, "{id}: {planned:?}");
    }
}

#[tokio::test]
async fn values_grafana_would_refuse_are_refused_at_plan_and_a_bad_zone_at_apply() {
    let h = Harness::start(&[]).await;
    let mut bad = example();
    bad.weekdays = strings(&["funday"]);
    bad.times = Attr::from(vec![TimesModel { start: "9:00".into(), end: "17:00".into() }]);
    let said = h.validate(TYPE, &config(&h, "bad", vec![bad])).await;
    assert_eq!(said.errors.len(), 2, "{said:?}");
    assert!(said.errors.iter().any(|e| e.ends_with("(at intervals[0].weekdays[0])")), "{said:?}");
    assert!(said.errors.iter().any(|e| e.ends_with("(at intervals[0].times[0].start)")), "{said:?}");

    // The time zone is Grafana's to know: its refusal names `location`, and nothing is kept.
    let mut zone = example();
    zone.location = "Mars/Olympus_Mons".into();
    let (after, said) = h.plan_apply(TYPE, None, &config(&h, "zone", vec![zone])).await;
    assert_eq!(said.errors.len(), 1, "{said:?}");
    assert!(said.errors[0].contains("IANA time zone") && said.errors[0].ends_with("(at intervals)"), "{said:?}");
    assert!(after.state.is_null());
    assert_eq!(h.grafana("GET", &api("zone"), None).await.0, 404);
}

#[tokio::test]
async fn provenance_is_read_back_and_a_change_replaces_the_mute_timing() {
    for profile in ["10.4", "12.4"] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        let set = |disable: bool| {
            let mut c = config(&h, "ui", vec![example()]);
            c.set("disable_provenance", Value::Bool(disable));
            c
        };
        let (created, said) = h.plan_apply(TYPE, None, &set(true)).await;
        said.assert_clean();
        let (_, held) = h.grafana("GET", &api("ui"), None).await;
        assert_eq!(held.get("provenance"), None, "{profile}: editable in the UI");
        let (read, _) = h.read(TYPE, &created).await;
        assert_eq!(read.state.get("disable_provenance"), &Value::Bool(true));
        let (_, replace, _, said) = h.plan(TYPE, Some(&read), &set(false)).await;
        said.assert_clean();
        assert_eq!(replace, ["disable_provenance"]);
        h.destroy(TYPE, &read).await.assert_clean();
        assert_eq!(h.grafana("GET", &api("ui"), None).await.0, 404, "{profile}");
    }
}

#[tokio::test]
async fn mute_timings_are_listed_by_name_as_an_import_reads_them() {
    let h = Harness::start(&[]).await;
    for name in ["b", "a"] {
        let body = json!({"name": name, "time_intervals": [{"months": ["may:august"]}]});
        assert_eq!(h.grafana("POST", "/api/v1/provisioning/mute-timings", Some(body)).await.0, 201);
    }
    h.assert_listed_as_imported(TYPE, &["a", "b"]).await;
}

#[tokio::test]
async fn a_state_of_the_official_provider_plans_nothing_after_replace_provider() {
    let h = Harness::start(&[]).await;
    let body = json!({"name": "My Mute Timing", "time_intervals": [{
        "times": [{"start_time": "04:56", "end_time": "14:17"}], "weekdays": ["monday", "tuesday:thursday"],
        "days_of_month": ["1:7", "-1"], "months": ["1:3", "12"], "years": ["2030", "2025:2026"]}]});
    assert_eq!(h.grafana("POST", "/api/v1/provisioning/mute-timings", Some(body)).await.0, 201);
    // What the official provider (schema version 0, SDKv2) stores: unset lists `[]`, an unset
    // location `""`, the id `<orgID>:<name>`.
    let official = json!({"id": "1:My Mute Timing", "org_id": "1", "name": "My Mute Timing",
        "disable_provenance": false, "intervals": [{"times": [{"start": "04:56", "end": "14:17"}],
        "weekdays": ["monday", "tuesday:thursday"], "days_of_month": ["1:7", "-1"], "months": ["1:3", "12"],
        "years": ["2030", "2025:2026"], "location": ""}]});
    let read = h.upgraded_and_read(TYPE, 0, &official).await;
    // The official example's own words (`"12"`, lower-case weekdays).
    let mut words = example();
    words.weekdays = strings(&["monday", "tuesday:thursday"]);
    words.months = strings(&["1:3", "12"]);
    let (planned, replace, _, said) = h.plan(TYPE, Some(&read), &config(&h, "My Mute Timing", vec![words])).await;
    said.assert_clean();
    assert!(replace.is_empty());
    assert_eq!(planned, read.state, "no change");
}

#[tokio::test]
async fn writes_whose_answers_are_lost_are_confirmed_by_reading_back() {
    // Every write is done, then its connection closed unanswered.
    let h = Harness::start(&["--drop-rate", "1", "--seed", "7"]).await;
    let (created, said) = h.plan_apply(TYPE, None, &config(&h, "lost", vec![example()])).await;
    said.assert_clean();
    let mut changed = example();
    changed.weekdays = strings(&["friday"]);
    let (updated, said) = h.plan_apply(TYPE, Some(&created), &config(&h, "lost", vec![changed])).await;
    said.assert_clean();
    assert_eq!(
        IntervalModel::decode(&updated.state.get("intervals").as_list().unwrap()[0]).weekdays,
        strings(&["friday"])
    );
    h.destroy(TYPE, &updated).await.assert_clean();
    let writes = (
        h.emu.count("POST", Some("/api/v1/provisioning/mute-timings")),
        h.emu.count("PUT", Some(ROUTE)),
        h.emu.count("DELETE", Some(ROUTE)),
    );
    assert_eq!(writes, (1, 1, 1), "each write sent once, never repeated");
    assert_eq!(h.grafana("GET", &api("lost"), None).await.0, 404);
}
