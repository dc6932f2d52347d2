use super::policies::strip_time_interval;
use super::*;

/// A list attribute of these strings.
pub(crate) fn strings(xs: &[&str]) -> Attr<Vec<String>> {
    Attr::from(xs.iter().map(|x| x.to_string()).collect::<Vec<_>>())
}

/// The official documentation example's interval, with `december` by name and `Monday` capitalised.
pub(crate) fn example() -> IntervalModel {
    IntervalModel {
        times: Attr::from(vec![TimesModel { start: "04:56".into(), end: "14:17".into() }]),
        weekdays: strings(&["Monday", "tuesday:thursday"]),
        days_of_month: strings(&["1:7", "-1"]),
        months: strings(&["1:3", "december"]),
        years: strings(&["2030", "2025:2026"]),
        location: Attr::Null,
    }
}

fn planned(intervals: Vec<IntervalModel>) -> MuteTimingModel {
    MuteTimingModel {
        name: "weekly".into(),
        disable_provenance: false.into(),
        intervals: Attr::from(intervals),
        id: "1:weekly".into(),
        org_id: "1".into(),
    }
}

/// What Grafana answers for `example()`, in Alertmanager's form.
fn held() -> MuteTiming {
    let list = |xs: &[&str]| Some(xs.iter().map(|x| x.to_string()).collect());
    MuteTiming {
        name: "weekly".into(),
        time_intervals: Some(vec![TimeInterval {
            times: Some(vec![TimeRange { start_time: "04:56".into(), end_time: "14:17".into() }]),
            weekdays: list(&["monday", "tuesday:thursday"]),
            days_of_month: list(&["1:7", "-1"]),
            months: list(&["1:3", "12"]),
            years: list(&["2030", "2025:2026"]),
            location: None,
        }]),
        provenance: Some("api".into()),
    }
}

#[test]
fn grafanas_form_of_the_configured_intervals_keeps_the_configured_words() {
    let p = planned(vec![example()]);
    assert_eq!(state(&p, &held()), p.encode(), "no diff against Alertmanager's form");
    // Drift: another weekday in Grafana is Grafana's words; the rest keeps the configuration's.
    let mut drifted = held();
    drifted.time_intervals.as_mut().unwrap()[0].weekdays = Some(vec!["friday".into()]);
    let s = MuteTimingModel::decode(&state(&p, &drifted));
    let i = &s.intervals.known().unwrap()[0];
    assert_eq!(i.weekdays, strings(&["friday"]));
    assert_eq!(i.months, strings(&["1:3", "december"]));
    // Imported (no prior intervals): Grafana's form; no provenance is `disable_provenance`.
    let mut imported = held();
    imported.provenance = None;
    let s = MuteTimingModel::decode(&state(&MuteTimingModel::default(), &imported));
    assert_eq!(s.intervals.known().unwrap()[0].months, strings(&["1:3", "12"]));
    assert_eq!((s.disable_provenance.is_true(), s.id.as_str()), (true, Some("1:weekly")));
}

#[test]
fn an_empty_block_mutes_always_and_empty_lists_mean_none() {
    let empty = IntervalModel { times: Attr::from(Vec::new()), weekdays: strings(&[]), ..Default::default() };
    let sent = wire_intervals(&planned(vec![empty.clone()]));
    assert_eq!(serde_json::to_value(&sent).unwrap(), serde_json::json!([{}]));
    let m = MuteTiming { name: "weekly".into(), time_intervals: Some(vec![TimeInterval::default()]), provenance: None };
    let p = planned(vec![empty]);
    let s = MuteTimingModel::decode(&state(&p, &m));
    assert_eq!(s.intervals, p.intervals, "[] stays [] against Grafana's nothing");
    let none = MuteTiming { name: "weekly".into(), time_intervals: None, provenance: None };
    assert_eq!(MuteTimingModel::decode(&state(&planned(vec![]), &none)).intervals, Attr::from(Vec::new()));
}

#[test]
fn a_plan_in_other_words_keeps_the_prior_words() {
    let prior = planned(vec![example()]).encode();
    let mut renamed = example();
    renamed.months = strings(&["January:March", "12"]);
    let mut plan = planned(vec![renamed]).encode();
    MuteTimingResource.normalize_planned(&prior, &mut plan);
    assert_eq!(plan, prior);
    let mut changed = example();
    changed.months = strings(&["1:4", "12"]);
    let mut plan = planned(vec![changed]).encode();
    MuteTimingResource.normalize_planned(&prior, &mut plan);
    assert_eq!(MuteTimingModel::decode(&plan).intervals.known().unwrap()[0].months, strings(&["1:4", "12"]));
}

#[test]
fn every_value_grafana_would_refuse_is_refused_at_its_attribute() {
    let mut bad = example();
    bad.times = Attr::from(vec![
        TimesModel { start: "4:56".into(), end: "14:17".into() },
        TimesModel { start: "22:00".into(), end: "06:00".into() },
    ]);
    bad.weekdays = strings(&["monday", "funday"]);
    bad.months = strings(&["13"]);
    let mut diags = Diagnostics::default();
    MuteTimingResource.validate(&planned(vec![example(), bad]).encode(), &mut diags);
    let at = |p: &[&str]| {
        let mut path = AttrPath::attr("intervals").index(1);
        for step in p {
            path = step.parse().map(|i| path.index(i)).unwrap_or_else(|_| path.then(step));
        }
        Some(path)
    };
    let found: Vec<_> = diags.0.iter().map(|d| (d.path.clone(), d.detail.clone())).collect();
    let want = [
        (at(&["times", "0", "start"]), "\"4:56\" is not a time of day"),
        (at(&["times", "1", "end"]), "over midnight"),
        (at(&["weekdays", "1"]), "\"funday\" is not a weekday"),
        (at(&["months", "0"]), "\"13\" is not a month"),
    ];
    assert_eq!(found.len(), want.len(), "{found:?}");
    for ((path, detail), (want_path, words)) in found.iter().zip(want) {
        assert_eq!(path, &want_path);
        assert!(detail.contains(words), "{words}: {detail}");
    }
    let mut fine = Diagnostics::default();
    MuteTimingResource.validate(&planned(vec![example()]).encode(), &mut fine);
    assert!(fine.0.is_empty(), "{:?}", fine.0);
}

#[test]
fn a_delete_takes_the_timing_out_of_every_policy_naming_it() {
    let mut tree = serde_json::json!({"receiver": "r", "mute_time_intervals": ["weekly", "other"],
        "routes": [{"routes": [{"mute_time_intervals": ["weekly"], "active_time_intervals": ["weekly"]}]},
                   {"mute_time_intervals": ["other"]}]});
    assert_eq!(strip_time_interval(&mut tree, "weekly"), 2);
    assert_eq!(
        tree,
        serde_json::json!({"receiver": "r", "mute_time_intervals": ["other"],
            "routes": [{"routes": [{"mute_time_intervals": [], "active_time_intervals": []}]},
                       {"mute_time_intervals": ["other"]}]})
    );
    assert_eq!(strip_time_interval(&mut tree, "weekly"), 0);
}

#[test]
fn import_ids_are_a_name_or_org_and_name() {
    let r = MuteTimingResource;
    let mut d = Diagnostics::default();
    let name = |v: Option<Value>| v.map(|v| MuteTimingModel::decode(&v).name.as_str().unwrap_or("").to_string());
    assert_eq!(name(r.import_id("1:Team A: nights", &mut d)), Some("Team A: nights".into()));
    assert_eq!(name(r.import_id("weekly", &mut d)), Some("weekly".into()));
    assert!(d.0.is_empty());
    assert_eq!(name(r.import_id("3:weekly", &mut d)), None);
    assert!(d.0[0].detail.contains("organisation \"3\""), "{:?}", d.0);
}
