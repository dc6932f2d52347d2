//! `grafana_message_template`, as Terraform drives it, on both Grafana profiles.

use serde_json::json;

use super::{Harness, s};
use crate::value::Value;

const TYPE: &str = "grafana_message_template";

fn templates_api(name: &str) -> String {
    format!("/api/v1/provisioning/templates/{}", name.replace(' ', "%20"))
}

#[tokio::test]
async fn a_template_group_lives_in_grafanas_form_without_a_diff_on_both_profiles() {
    for profile in ["10.4", "12.4"] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        // No `define`: Grafana wraps it; the state keeps the configured text.
        let config = h.config(TYPE, &[("name", s("Team A")), ("template", s("Firing: {{ .Status }}\n"))]);
        let (created, said) = h.plan_apply(TYPE, None, &config).await;
        said.assert_clean();
        assert_eq!(created.state.get("template"), &s("Firing: {{ .Status }}\n"), "{profile}");
        assert_eq!(created.state.get("id"), &s("1:Team A"));
        let (_, held) = h.grafana("GET", &templates_api("Team A"), None).await;
        assert_eq!(held["template"], "{{ define \"Team A\" }}\n  Firing: {{ .Status }}\n{{ end }}", "{profile}");

        // The same configuration plans the state; so does the same content in other whitespace.
        let (planned, replace, _, said) = h.plan(TYPE, Some(&created), &config).await;
        said.assert_clean();
        assert!(replace.is_empty() && planned == created.state, "{profile}: {planned:?}");
        let spaced = h.config(TYPE, &[("name", s("Team A")), ("template", s("  Firing: {{ .Status }}"))]);
        let (planned, _, _, _) = h.plan(TYPE, Some(&created), &spaced).await;
        assert_eq!(planned, created.state, "{profile}: the same content");

        // A refresh finds it unchanged; a change made in Grafana shows as drift and is healed.
        let (read, said) = h.read(TYPE, &created).await;
        said.assert_clean();
        assert_eq!(read.state, created.state);
        let other = json!({"template": "{{ define \"x\" }}changed{{ end }}"});
        assert_eq!(h.grafana("PUT", &templates_api("Team A"), Some(other)).await.0, 202);
        let (drifted, _) = h.read(TYPE, &created).await;
        assert_eq!(drifted.state.get("template"), &s("{{ define \"x\" }}changed{{ end }}"));
        let (healed, said) = h.plan_apply(TYPE, Some(&drifted), &config).await;
        said.assert_clean();
        assert_eq!(healed.state.get("template"), config.get("template"));
        let (_, held) = h.grafana("GET", &templates_api("Team A"), None).await;
        assert!(held["template"].as_str().unwrap().contains("Firing"), "{profile}: {held}");

        // Deleted in Grafana: removed from the state with a warning; destroy of what is left.
        let said = h.destroy(TYPE, &healed).await;
        said.assert_clean();
        let (status, _) = h.grafana("GET", &templates_api("Team A"), None).await;
        assert_eq!(status, 404, "{profile}");
        let (gone, said) = h.read(TYPE, &healed).await;
        assert!(gone.state.is_null() && said.warnings.len() == 1, "{profile}: {said:?}");
    }
}

#[tokio::test]
async fn a_create_never_takes_over_a_group_of_the_same_name() {
    let h = Harness::start(&[]).await;
    let theirs = json!({"template": "{{ define \"theirs\" }}keep me{{ end }}"});
    assert_eq!(h.grafana("PUT", &templates_api("shared"), Some(theirs)).await.0, 202);
    let puts = h.emu.count("PUT", Some("/api/v1/provisioning/templates/:name"));
    let config = h.config(TYPE, &[("name", s("shared")), ("template", s("mine"))]);
    let (_, said) = h.plan_apply(TYPE, None, &config).await;
    assert_eq!(said.errors.len(), 1, "{said:?}");
    let e = &said.errors[0];
    assert!(e.contains("already exists") && e.contains("terraform import") && e.ends_with("(at name)"), "{e}");
    assert_eq!(h.emu.count("PUT", Some("/api/v1/provisioning/templates/:name")), puts, "nothing written");
    let (_, held) = h.grafana("GET", &templates_api("shared"), None).await;
    assert!(held["template"].as_str().unwrap().contains("keep me"));

    // Imported instead, by name or `1:name`: the state is Grafana's, and its own config plans nothing.
    for id in ["shared", "1:shared"] {
        let (imported, said) = h.import(TYPE, id).await;
        said.assert_clean();
        let imported = imported.expect("imported");
        assert_eq!(imported.state.get("name"), &s("shared"));
        let config = h.config(TYPE, &[("name", s("shared")), ("template", imported.state.get("template").clone())]);
        let (planned, _, _, said) = h.plan(TYPE, Some(&imported), &config).await;
        said.assert_clean();
        assert_eq!(planned.get("template"), imported.state.get("template"));
    }
}

#[tokio::test]
async fn an_unparsable_template_is_refused_at_the_attribute_and_nothing_is_kept() {
    for profile in ["10.4", "12.4"] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        let config = h.config(TYPE, &[("name", s("broken")), ("template", s("{{ define \"a\" }}no end"))]);
        let (after, said) = h.plan_apply(TYPE, None, &config).await;
        assert_eq!(said.errors.len(), 1, "{profile}: {said:?}");
        assert!(said.errors[0].contains("Grafana refused the template") && said.errors[0].ends_with("(at template)"));
        assert!(after.state.is_null(), "{profile}: nothing half-created");
        // Blank values are refused at plan, with no call.
        let blank = h.config(TYPE, &[("name", s(" ")), ("template", s(""))]);
        let said = h.validate(TYPE, &blank).await;
        assert_eq!(said.errors.len(), 2, "{said:?}");
    }
}

#[tokio::test]
async fn provenance_is_read_back_on_12_and_a_change_replaces_the_group() {
    let h = Harness::start(&[]).await;
    let set = |disable: bool| {
        h.config(TYPE, &[("name", s("ui")), ("template", s("x")), ("disable_provenance", Value::Bool(disable))])
    };
    let (created, said) = h.plan_apply(TYPE, None, &set(true)).await;
    said.assert_clean();
    let (_, held) = h.grafana("GET", &templates_api("ui"), None).await;
    assert_eq!(held["provenance"], "", "editable in the UI");
    let (read, _) = h.read(TYPE, &created).await;
    assert_eq!(read.state.get("disable_provenance"), &Value::Bool(true));
    let (_, replace, _, said) = h.plan(TYPE, Some(&read), &set(false)).await;
    said.assert_clean();
    assert_eq!(replace, ["disable_provenance"]);
    // The destroy sends the provenance the group has, which Grafana 12 requires.
    h.destroy(TYPE, &read).await.assert_clean();
    assert_eq!(h.grafana("GET", &templates_api("ui"), None).await.0, 404);
}

#[tokio::test]
async fn template_groups_are_listed_by_name() {
    let h = Harness::start(&[]).await;
    let (found, said) = h.list(TYPE, &[], true, 100).await;
    said.assert_clean();
    assert!(found.is_empty(), "Grafana 12 answers null for none");
    for name in ["b", "a"] {
        let body = json!({"template": format!("{{{{ define \"{name}\" }}}}x{{{{ end }}}}")});
        assert_eq!(h.grafana("PUT", &templates_api(name), Some(body)).await.0, 202);
    }
    h.assert_listed_as_imported(TYPE, &["a", "b"]).await;
}

#[tokio::test]
async fn a_state_of_the_official_provider_plans_nothing_after_replace_provider() {
    let h = Harness::start(&[]).await;
    let content = "{{define \"custom.message\" }}\n template content\n{{ end }}";
    let body = json!({ "template": content });
    assert_eq!(h.grafana("PUT", &templates_api("My Group"), Some(body)).await.0, 202);
    // What the official provider (schema version 0, SDKv2) stores: the id `<orgID>:<name>`,
    // the template trimmed, org_id as a string.
    let official = json!({"id": "1:My Group", "org_id": "1", "name": "My Group", "template": content,
                          "disable_provenance": false});
    let read = h.upgraded_and_read(TYPE, 0, &official).await;
    let config = h.config(TYPE, &[("name", s("My Group")), ("template", s(&format!("{content}\n")))]);
    let (planned, replace, _, said) = h.plan(TYPE, Some(&read), &config).await;
    said.assert_clean();
    assert!(replace.is_empty());
    assert_eq!(planned, read.state, "no change");
    assert_eq!(read.state.get("id"), &s("1:My Group"));
}

#[tokio::test]
async fn writes_whose_answers_are_lost_are_confirmed_by_reading_back() {
    // Every write is done, then its connection closed unanswered.
    let h = Harness::start(&["--drop-rate", "1", "--seed", "7"]).await;
    let config = h.config(TYPE, &[("name", s("lost")), ("template", s("first"))]);
    let (created, said) = h.plan_apply(TYPE, None, &config).await;
    said.assert_clean();
    assert_eq!(created.state.get("template"), &s("first"));
    let changed = h.config(TYPE, &[("name", s("lost")), ("template", s("second"))]);
    let (updated, said) = h.plan_apply(TYPE, Some(&created), &changed).await;
    said.assert_clean();
    assert_eq!(updated.state.get("template"), &s("second"));
    h.destroy(TYPE, &updated).await.assert_clean();
    let puts = h.emu.count("PUT", Some("/api/v1/provisioning/templates/:name"));
    let deletes = h.emu.count("DELETE", Some("/api/v1/provisioning/templates/:name"));
    assert_eq!((puts, deletes), (2, 1), "each write sent once, never repeated");
    let (status, _) = h.grafana("GET", &templates_api("lost"), None).await;
    assert_eq!(status, 404);
}
