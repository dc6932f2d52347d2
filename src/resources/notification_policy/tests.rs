use serde_json::json;

use super::*;
use crate::model::SetOf;
use levels::Level3;
use tree::MatcherModel;

fn strings(xs: &[&str]) -> Attr<Vec<String>> {
    Attr::from(xs.iter().map(|x| x.to_string()).collect::<Vec<_>>())
}

/// The first top-level `policy` block.
fn top(m: &mut PolicyModel) -> &mut Level4 {
    match &mut m.policy {
        Attr::Known(ps) => &mut ps[0],
        other => panic!("no policy blocks: {other:?}"),
    }
}

fn matcher(label: &str, op: &str, value: &str) -> MatcherModel {
    MatcherModel { label: label.into(), match_: op.into(), value: value.into() }
}

/// A tree as configured: two levels of policies, timings in other words than Grafana's.
pub(crate) fn planned() -> PolicyModel {
    let child = Level3 {
        contact_point: "grafana-default-email".into(),
        matcher: Attr::from(SetOf(vec![matcher("sublabel", "=", "subvalue")])),
        group_by: strings(&["..."]),
        policy: Attr::from(Vec::new()),
        ..Default::default()
    };
    let top = Level4 {
        matcher: Attr::from(SetOf(vec![matcher("team", "=", "a"), matcher("Name", "=~", "host.*")])),
        continue_: true.into(),
        mute_timings: strings(&["weekly"]),
        group_wait: "45s".into(),
        repeat_interval: "180m".into(),
        policy: Attr::from(vec![child]),
        ..Default::default()
    };
    PolicyModel {
        contact_point: "grafana-default-email".into(),
        group_by: strings(&["alertname"]),
        group_interval: "300s".into(),
        disable_provenance: false.into(),
        policy: Attr::from(vec![top]),
        id: "1:policy".into(),
        org_id: "1".into(),
        ..Default::default()
    }
}

/// Grafana's answer for `planned()`: matchers reordered, durations shortest, `continue` and
/// empty lists as Grafana leaves them.
fn held() -> Json {
    json!({"receiver": "grafana-default-email", "group_by": ["alertname"], "group_interval": "5m", "provenance": "api",
        "routes": [{"object_matchers": [["Name", "=~", "host.*"], ["team", "=", "a"]], "continue": true,
            "mute_time_intervals": ["weekly"], "group_wait": "45s", "repeat_interval": "3h",
            "routes": [{"receiver": "grafana-default-email", "group_by": ["..."],
                "object_matchers": [["sublabel", "=", "subvalue"]]}]}]})
}

#[test]
fn the_tree_goes_to_grafana_as_its_route_json() {
    let sent = route_of(&root_node(&planned()));
    assert_eq!(
        sent,
        json!({"receiver": "grafana-default-email", "group_by": ["alertname"], "group_interval": "300s",
            "routes": [{"object_matchers": [["team", "=", "a"], ["Name", "=~", "host.*"]], "continue": true,
                "mute_time_intervals": ["weekly"], "group_wait": "45s", "repeat_interval": "180m",
                "routes": [{"receiver": "grafana-default-email", "group_by": ["..."],
                    "object_matchers": [["sublabel", "=", "subvalue"]]}]}]})
    );
}

#[test]
fn grafanas_form_of_the_tree_keeps_the_configured_words() {
    let p = planned();
    let mut d = Diagnostics::default();
    assert_eq!(state(&p, &held(), &mut d), p.encode(), "no diff");
    assert!(d.0.is_empty());
    // Drift: another repeat interval shows in Grafana's words; the rest keeps the configuration's.
    let mut drifted = held();
    drifted["routes"][0]["repeat_interval"] = json!("4h");
    let s = PolicyModel::decode(&state(&p, &drifted, &mut d));
    let top = &s.policy.known().unwrap()[0];
    assert_eq!((top.repeat_interval.as_str(), top.group_wait.as_str()), (Some("4h"), Some("45s")));
    assert_eq!(s.group_interval.as_str(), Some("300s"));
    // Imported: Grafana's words; provenance none reads as `disable_provenance`.
    let mut none = held();
    none.as_object_mut().unwrap().remove("provenance");
    let s = PolicyModel::decode(&state(&PolicyModel::default(), &none, &mut d));
    assert_eq!((s.group_interval.as_str(), s.disable_provenance.is_true()), (Some("5m"), true));
    let top = &s.policy.known().unwrap()[0];
    assert_eq!((top.continue_.known(), top.contact_point.as_str()), (Some(&true), None));
    assert_eq!(s.id.as_str(), Some("1:policy"));
}

#[test]
fn policies_deeper_than_four_levels_are_said_not_dropped_silently() {
    let mut deep = json!({"receiver": "r"});
    for _ in 0..6 {
        deep = json!({"receiver": "r", "routes": [deep]});
    }
    let mut d = Diagnostics::default();
    let s = PolicyModel::decode(&state(&PolicyModel::default(), &deep, &mut d));
    assert_eq!(d.0.len(), 1);
    assert!(d.0[0].detail.contains("2 policies below the fourth level"), "{}", d.0[0].detail);
    let mut depth = 0;
    let mut node = root_node(&s);
    while let Some(first) = node.policy.first().cloned() {
        depth += 1;
        node = first;
    }
    assert_eq!(depth, 4);
}

#[test]
fn a_plan_in_other_words_keeps_the_prior_words_and_the_configurations_nulls() {
    let prior = planned().encode();
    let mut same = planned();
    same.group_interval = "5m".into();
    top(&mut same).matcher = Attr::from(SetOf(vec![matcher("Name", "=~", "host.*"), matcher("team", "=", "a")]));
    let mut plan = same.encode();
    NotificationPolicyResource.normalize_planned(&prior, &mut plan);
    assert_eq!(plan, prior);
    // A null the configuration has stays null, even where the prior says `[]` or `false`.
    let mut prior = planned();
    top(&mut prior).active_timings = strings(&[]);
    let mut plan = planned().encode();
    NotificationPolicyResource.normalize_planned(&prior.encode(), &mut plan);
    assert!(PolicyModel::decode(&plan).policy.known().unwrap()[0].active_timings.is_null());
}

#[test]
fn mistakes_are_refused_at_plan_at_their_attribute() {
    let mut bad = planned();
    bad.group_by = strings(&["...", "alertname"]);
    bad.repeat_interval = "0s".into();
    let first = top(&mut bad);
    first.group_wait = "45 seconds".into();
    first.matcher = Attr::from(SetOf(vec![matcher("team", "==", "a")]));
    let mut d = Diagnostics::default();
    NotificationPolicyResource.validate(&bad.encode(), &mut d);
    let at: Vec<String> = d.0.iter().map(|d| format!("{}", d.path.clone().unwrap_or_default())).collect();
    assert_eq!(at, ["group_by", "repeat_interval", "policy[0].group_wait", "policy[0].matcher"], "{:?}", d.0);
    let mut fine = Diagnostics::default();
    NotificationPolicyResource.validate(&planned().encode(), &mut fine);
    assert!(fine.0.is_empty(), "{:?}", fine.0);
}

#[test]
fn durations_mean_what_prometheus_reads() {
    use crate::resources::alerting::duration_ms;
    assert_eq!(duration_ms("300s"), duration_ms("5m"));
    assert_eq!(duration_ms("1h30m"), Ok(5_400_000));
    assert_eq!(duration_ms("1w"), duration_ms("7d"));
    for bad in ["", "5", "m", "1m1h", "45 seconds", "1.5h"] {
        assert!(duration_ms(bad).unwrap_err().contains("is not a duration"), "{bad}");
    }
}
