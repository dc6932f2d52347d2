//! `grafana_notification_policy`, as Terraform drives it, on both Grafana profiles.

use serde_json::json;

use super::Harness;
use crate::model::{Attr, Model};
use crate::resources::notification_policy::PolicyModel;
use crate::resources::notification_policy::tests::planned;
use crate::value::Value;

const TYPE: &str = "grafana_notification_policy";
const TREE: &str = "/api/v1/provisioning/policies";

/// Grafana's default tree, as its GET answers it.
fn default_tree() -> serde_json::Value {
    json!({"receiver": "grafana-default-email", "group_by": ["grafana_folder", "alertname"]})
}

/// The configuration of `planned()`: no computed values, `disable_provenance` left to its default.
fn config(m: PolicyModel) -> Value {
    PolicyModel { id: Attr::Null, org_id: Attr::Null, disable_provenance: Attr::Null, ..m }.encode()
}

/// The mute timing `planned()` names.
async fn weekly(h: &Harness) {
    let body = json!({"name": "weekly", "time_intervals": [{"weekdays": ["saturday", "sunday"]}]});
    // 0: the emulator dropped the answer (`--drop-rate`), the write was done.
    let status = h.grafana("POST", "/api/v1/provisioning/mute-timings", Some(body)).await.0;
    assert!(matches!(status, 201 | 0), "{status}");
}

#[tokio::test]
async fn the_tree_lives_in_grafanas_form_without_a_diff_on_both_profiles() {
    for profile in ["10.4", "12.4"] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        weekly(&h).await;
        let cfg = config(planned());
        let (created, said) = h.plan_apply(TYPE, None, &cfg).await;
        said.assert_clean();
        let requests = (h.emu.count("GET", Some(TREE)), h.emu.count("PUT", Some(TREE)));
        assert_eq!(requests, (2, 1), "{profile}: create = GET, PUT, GET back");
        let (_, held) = h.grafana("GET", TREE, None).await;
        assert_eq!((&held["group_interval"], &held["routes"][0]["repeat_interval"]), (&json!("5m"), &json!("3h")));
        assert_eq!(held["provenance"], "api", "{profile}");
        let s = PolicyModel::decode(&created.state);
        assert_eq!(
            (s.group_interval.as_str(), s.id.as_str()),
            (Some("300s"), Some("1:policy")),
            "the configured words"
        );

        // The same configuration, and the same meaning in Grafana's words, plan the state.
        let (planned_state, replace, _, said) = h.plan(TYPE, Some(&created), &cfg).await;
        said.assert_clean();
        assert!(replace.is_empty() && planned_state == created.state, "{profile}: {planned_state:?}");
        let words = config(PolicyModel { group_interval: "5m".into(), ..planned() });
        let (planned_state, _, _, _) = h.plan(TYPE, Some(&created), &words).await;
        assert_eq!(planned_state, created.state, "{profile}: 5m is 300s");

        // A refresh changes nothing; drift in Grafana shows and is healed by one PUT.
        let (read, said) = h.read(TYPE, &created).await;
        said.assert_clean();
        assert_eq!(read.state, created.state);
        assert_eq!(h.grafana("PUT", TREE, Some(default_tree())).await.0, 202);
        let (drifted, _) = h.read(TYPE, &created).await;
        assert_eq!(PolicyModel::decode(&drifted.state).policy, Attr::from(Vec::new()), "{profile}: drift shown");
        let (healed, said) = h.plan_apply(TYPE, Some(&drifted), &cfg).await;
        said.assert_clean();
        assert_eq!(healed.state, created.state);

        // Destroy resets the tree to Grafana's default, provenance none.
        h.destroy(TYPE, &healed).await.assert_clean();
        assert_eq!(h.grafana("GET", TREE, None).await.1, default_tree(), "{profile}");
    }
}

#[tokio::test]
async fn a_create_replaces_the_tree_grafana_held_and_says_so_or_an_import_adopts_it() {
    let h = Harness::start(&[]).await;
    weekly(&h).await;
    let theirs = json!({"receiver": "grafana-default-email", "group_by": ["alertname"],
        "routes": [{"object_matchers": [["team", "=", "b"]], "mute_time_intervals": ["weekly"]}]});
    assert_eq!(h.grafana("PUT", TREE, Some(theirs.clone())).await.0, 202);

    // Imported by `policy`: the state is Grafana's tree, and its own configuration plans nothing.
    let (imported, said) = h.import(TYPE, "policy").await;
    said.assert_clean();
    let imported = imported.expect("imported");
    let mut own = PolicyModel::decode(&imported.state);
    own.id = Attr::Null;
    let (planned_state, replace, _, said) = h.plan(TYPE, Some(&imported), &config(own)).await;
    said.assert_clean();
    assert!(replace.is_empty() && planned_state == imported.state, "{planned_state:?}");

    // Created instead: the tree is replaced, with a warning saying what was there.
    let (_, said) = h.plan_apply(TYPE, None, &config(planned())).await;
    assert!(said.errors.is_empty(), "{said:?}");
    assert_eq!(said.warnings.len(), 1, "{said:?}");
    assert!(said.warnings[0].contains("1 top-level policy, provisioned through the API"), "{}", said.warnings[0]);
    let (_, held) = h.grafana("GET", TREE, None).await;
    assert_eq!(held["routes"][0]["continue"], true);
}

#[tokio::test]
async fn what_grafana_refuses_names_what_to_fix_and_leaves_the_tree_as_it_was() {
    for profile in ["10.4", "12.4"] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        // The mute timing `planned()` names does not exist.
        let (after, said) = h.plan_apply(TYPE, None, &config(planned())).await;
        assert_eq!(said.errors.len(), 1, "{profile}: {said:?}");
        let e = &said.errors[0];
        assert!(
            e.contains("mute time interval 'weekly' does not exist") && e.contains("grafana_mute_timing.x.name"),
            "{e}"
        );
        assert!(after.state.is_null());
        assert_eq!(h.grafana("GET", TREE, None).await.1, default_tree(), "{profile}: untouched");
        // A contact point that does not exist.
        let (_, said) =
            h.plan_apply(TYPE, None, &config(PolicyModel { contact_point: "nobody".into(), ..planned() })).await;
        assert!(said.errors[0].contains("receiver 'nobody' does not exist"), "{said:?}");
    }
}

#[tokio::test]
async fn provenance_is_read_back_and_a_change_replaces_the_tree() {
    for profile in ["10.4", "12.4"] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        weekly(&h).await;
        let set = |disable: bool| {
            let mut c = PolicyModel::decode(&config(planned()));
            c.disable_provenance = disable.into();
            c.encode()
        };
        let (created, said) = h.plan_apply(TYPE, None, &set(true)).await;
        said.assert_clean();
        assert_eq!(h.grafana("GET", TREE, None).await.1.get("provenance"), None, "{profile}: editable in the UI");
        let (_, replace, _, said) = h.plan(TYPE, Some(&created), &set(false)).await;
        said.assert_clean();
        assert_eq!(replace, ["disable_provenance"]);
        // Replaced: the reset, then the tree with provenance `api` (Grafana 12 refuses that in place).
        h.destroy(TYPE, &created).await.assert_clean();
        let (again, said) = h.plan_apply(TYPE, None, &set(false)).await;
        said.assert_clean();
        assert_eq!(PolicyModel::decode(&again.state).disable_provenance, Attr::from(false), "{profile}");
    }
}

#[tokio::test]
async fn a_state_of_the_official_provider_plans_nothing_after_replace_provider() {
    let h = Harness::start(&[]).await;
    let tree = json!({"receiver": "grafana-default-email", "group_by": ["..."], "group_wait": "45s",
        "routes": [{"receiver": "grafana-default-email", "object_matchers": [["a", "=", "b"]]}]});
    assert_eq!(h.grafana("PUT", TREE, Some(tree)).await.0, 202);
    // What the official provider (schema version 0, SDKv2) stores: unset strings `""`, unset
    // lists `[]`, `continue` false, the id `<orgID>:policy`.
    let official = json!({"id": "1:policy", "org_id": "1", "contact_point": "grafana-default-email",
        "group_by": ["..."], "group_wait": "45s", "group_interval": "", "repeat_interval": "",
        "disable_provenance": false,
        "policy": [{"contact_point": "grafana-default-email", "group_by": [], "continue": false, "mute_timings": [],
            "active_timings": [], "group_wait": "", "group_interval": "", "repeat_interval": "", "policy": [],
            "matcher": [{"label": "a", "match": "=", "value": "b"}]}]});
    let read = h.upgraded_and_read(TYPE, 0, &official).await;
    // The configuration that wrote it: nothing but what it set.
    let mut cfg = PolicyModel::decode(&config(PolicyModel::decode(&read.state)));
    cfg.group_interval = Attr::Null;
    let (planned_state, replace, _, said) = h.plan(TYPE, Some(&read), &cfg.encode()).await;
    said.assert_clean();
    assert!(replace.is_empty());
    assert_eq!(planned_state, read.state, "no change");
}

#[tokio::test]
async fn writes_whose_answers_are_lost_are_confirmed_by_reading_back() {
    // Every write is done, then its connection closed unanswered.
    let h = Harness::start(&["--drop-rate", "1", "--seed", "7"]).await;
    weekly(&h).await;
    let (created, said) = h.plan_apply(TYPE, None, &config(planned())).await;
    said.assert_clean();
    let changed = config(PolicyModel { repeat_interval: "12h".into(), ..planned() });
    let (updated, said) = h.plan_apply(TYPE, Some(&created), &changed).await;
    said.assert_clean();
    assert_eq!(PolicyModel::decode(&updated.state).repeat_interval.as_str(), Some("12h"));
    h.destroy(TYPE, &updated).await.assert_clean();
    assert_eq!((h.emu.count("PUT", Some(TREE)), h.emu.count("DELETE", Some(TREE))), (2, 1), "each sent once");
    assert_eq!(h.grafana("GET", TREE, None).await.1, default_tree());
}

#[tokio::test]
async fn the_tree_is_listed_once_as_an_import_reads_it() {
    let h = Harness::start(&[]).await;
    h.assert_listed_as_imported(TYPE, &["Notification policy tree"]).await;
}

#[tokio::test]
async fn active_timings_are_refused_at_plan_where_grafana_would_drop_them() {
    for (profile, refused) in [("10.4", true), ("12.4", false)] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        weekly(&h).await;
        let mut m = planned();
        if let Attr::Known(ps) = &mut m.policy {
            ps[0].active_timings = Attr::from(vec!["weekly".to_string()]);
        }
        let (_, _, _, said) = h.plan(TYPE, None, &config(m.clone())).await;
        assert_eq!(said.errors.len(), usize::from(refused), "{profile}: {said:?}");
        if refused {
            let e = &said.errors[0];
            assert!(e.contains("Grafana 10.4.1") && e.ends_with("(at policy[0].active_timings)"), "{e}");
        } else {
            let (created, said) = h.plan_apply(TYPE, None, &config(m)).await;
            said.assert_clean();
            let (_, held) = h.grafana("GET", TREE, None).await;
            assert_eq!(held["routes"][0]["active_time_intervals"], json!(["weekly"]));
            assert_eq!(h.read(TYPE, &created).await.0.state, created.state);
        }
    }
}
