//! `grafana_contact_point`, as Terraform drives it, on both Grafana profiles.

use serde_json::json;

use super::{Harness, s};
use crate::value::Value;

const TYPE: &str = "grafana_contact_point";
const LIST: &str = "/api/v1/provisioning/contact-points";
const ONE: &str = "/api/v1/provisioning/contact-points/:uid";

/// A receiver block of `block`'s type: every attribute null, nested blocks empty, then `set`.
fn receiver(h: &Harness, block: &str, set: &[(&str, Value)]) -> Value {
    let schema = h.schema(TYPE);
    let b = schema.blocks.iter().find(|b| b.name == block).expect("block");
    let mut v = super::nulls_of(&b.attributes, &b.blocks);
    for (k, x) in set {
        v.set(k, x.clone());
    }
    v
}

fn config(h: &Harness, name: &str, blocks: &[(&str, Vec<Value>)], extra: &[(&str, Value)]) -> Value {
    let mut set: Vec<(&str, Value)> = vec![("name", s(name))];
    set.extend(blocks.iter().map(|(b, xs)| (*b, Value::Set(xs.clone()))));
    set.extend(extra.iter().cloned());
    h.config(TYPE, &set)
}

/// The official documentation example's `email` block.
fn email(h: &Harness, message: &str) -> Value {
    receiver(
        h,
        "email",
        &[
            ("addresses", Value::List(vec![s("one@company.org"), s("two@company.org")])),
            ("message", s(message)),
            ("subject", s("{{ template \"default.title\" .}}")),
            ("single_email", Value::Bool(true)),
            ("disable_resolve_message", Value::Bool(false)),
        ],
    )
}

async fn held(h: &Harness, name: &str) -> Vec<serde_json::Value> {
    let (_, all) = h.grafana("GET", &format!("{LIST}?name={}", name.replace(' ', "%20")), None).await;
    all.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_contact_point_keeps_each_receiver_as_one_integration_on_both_profiles() {
    for profile in ["10.4", "12.4"] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        let cfg =
            config(&h, "My Contact Point", &[("email", vec![email(&h, "{{ len .Alerts.Firing }} firing.")])], &[]);
        let (created, said) = h.plan_apply(TYPE, None, &cfg).await;
        said.assert_clean();
        assert_eq!(h.emu.count("POST", Some(LIST)), 1, "{profile}: one integration, one POST");
        let stored = held(&h, "My Contact Point").await;
        assert_eq!(stored.len(), 1);
        assert_eq!(
            stored[0]["settings"],
            json!({"addresses": "one@company.org;two@company.org", "message": "{{ len .Alerts.Firing }} firing.",
                "subject": "{{ template \"default.title\" .}}", "singleEmail": true}),
            "{profile}: Grafana's settings"
        );
        assert_eq!(
            (created.state.get("id"), stored[0]["provenance"].as_str()),
            (&s("1:My Contact Point"), Some("api"))
        );
        let uid = stored[0]["uid"].as_str().unwrap().to_string();

        // Nothing to do; a refresh is one GET.
        let (planned, replace, _, said) = h.plan(TYPE, Some(&created), &cfg).await;
        said.assert_clean();
        assert!(replace.is_empty() && planned == created.state, "{profile}: {planned:?}");
        let gets = h.emu.count("GET", Some(LIST));
        let (read, _) = h.read(TYPE, &created).await;
        assert_eq!((read.state == created.state, h.emu.count("GET", Some(LIST)) - gets), (true, 1), "{profile}");

        // A changed receiver keeps its integration (one PUT, same uid); a new one is a POST.
        let slack = receiver(&h, "slack", &[("token", s("xoxb-secret")), ("recipient", s("#ops"))]);
        let cfg2 =
            config(&h, "My Contact Point", &[("email", vec![email(&h, "changed")]), ("slack", vec![slack])], &[]);
        let (updated, said) = h.plan_apply(TYPE, Some(&created), &cfg2).await;
        said.assert_clean();
        assert_eq!((h.emu.count("PUT", Some(ONE)), h.emu.count("POST", Some(LIST))), (1, 2), "{profile}");
        let stored = held(&h, "My Contact Point").await;
        assert_eq!(stored.len(), 2);
        assert_eq!(stored[0]["uid"], json!(uid), "{profile}: the same integration");
        assert_eq!(stored[1]["settings"]["token"], "[REDACTED]");
        let (planned, _, _, said) = h.plan(TYPE, Some(&updated), &cfg2).await;
        said.assert_clean();
        assert_eq!(planned, updated.state, "{profile}: the secret is kept from the configuration");

        // Drift in Grafana shows, and the apply heals it.
        let mut drifted = stored[0].clone();
        drifted["settings"]["subject"] = json!("edited in Grafana");
        assert_eq!(h.grafana("PUT", &format!("{LIST}/{uid}"), Some(drifted)).await.0, 202);
        let (read, _) = h.read(TYPE, &updated).await;
        assert_ne!(read.state, updated.state, "{profile}");
        let (healed, said) = h.plan_apply(TYPE, Some(&read), &cfg2).await;
        said.assert_clean();
        assert_eq!(healed.state, updated.state, "{profile}");

        // Removing a receiver deletes its integration; destroy deletes the rest.
        let (fewer, said) = h.plan_apply(TYPE, Some(&healed), &cfg).await;
        said.assert_clean();
        assert_eq!(held(&h, "My Contact Point").await.len(), 1, "{profile}");
        h.destroy(TYPE, &fewer).await.assert_clean();
        assert!(held(&h, "My Contact Point").await.is_empty(), "{profile}");
    }
}

#[tokio::test]
async fn an_sns_topic_with_no_keys_is_held_in_grafanas_shape_and_plans_nothing() {
    for profile in ["10.4", "12.4"] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        let topic = "arn:aws:sns:us-east-1:123456789012:grafana-alerts";
        let sns = receiver(&h, "sns", &[("topic", s(topic))]);
        let cfg = config(&h, "ops", &[("sns", vec![sns])], &[]);
        let (created, said) = h.plan_apply(TYPE, None, &cfg).await;
        said.assert_clean();
        let stored = held(&h, "ops").await;
        assert_eq!(
            stored[0]["settings"],
            json!({"topic_arn": topic, "sigv4": {"region": "us-east-1"}}),
            "{profile}: no keys"
        );
        let (planned, _, _, said) = h.plan(TYPE, Some(&created), &cfg).await;
        said.assert_clean();
        assert_eq!(planned, created.state, "{profile}");
        let block = &created.state.get("sns").as_list().unwrap()[0];
        assert_eq!((block.get("auth_provider"), block.get("message_format")), (&s("default"), &s("text")));

        // Keys and a role go to Grafana's `sigv4`, the keys answered redacted and kept from the configuration.
        let keyed = receiver(
            &h,
            "sns",
            &[
                ("topic", s(topic)),
                ("auth_provider", s("keys")),
                ("access_key", s("AKIAEXAMPLE")),
                ("secret_key", s("secret")),
                ("assume_role_arn", s("arn:aws:iam::123456789012:role/publisher")),
                ("external_id", s("ext")),
                ("subject", s("Alert")),
                ("body", s("{{ .CommonAnnotations.summary }}")),
            ],
        );
        let cfg = config(&h, "ops", &[("sns", vec![keyed])], &[]);
        let (keyed, said) = h.plan_apply(TYPE, Some(&created), &cfg).await;
        said.assert_clean();
        let stored = held(&h, "ops").await;
        assert_eq!(
            stored[0]["settings"],
            json!({"topic_arn": topic, "subject": "Alert", "message": "{{ .CommonAnnotations.summary }}",
                "sigv4": {"region": "us-east-1", "access_key": "[REDACTED]", "secret_key": "[REDACTED]",
                    "role_arn": "arn:aws:iam::123456789012:role/publisher", "external_id": "ext"}}),
            "{profile}"
        );
        let (planned, _, _, said) = h.plan(TYPE, Some(&keyed), &cfg).await;
        said.assert_clean();
        assert_eq!(planned, keyed.state, "{profile}");
    }
}

#[tokio::test]
async fn bad_contact_points_are_refused_at_plan_or_at_the_receiver_with_nothing_kept() {
    let h = Harness::start(&[]).await;
    let said = h.validate(TYPE, &config(&h, "none", &[], &[])).await;
    assert!(said.errors.len() == 1 && said.errors[0].contains("needs a receiver"), "{said:?}");
    let sns = receiver(&h, "sns", &[("topic", s("grafana-alerts"))]);
    let said = h.validate(TYPE, &config(&h, "x", &[("sns", vec![sns])], &[])).await;
    assert!(
        said.errors.len() == 1 && said.errors[0].ends_with("(at sns)") && said.errors[0].contains("ARN"),
        "{said:?}"
    );
    // A name Grafana already holds: import it.
    let (after, said) =
        h.plan_apply(TYPE, None, &config(&h, "grafana-default-email", &[("email", vec![email(&h, "m")])], &[])).await;
    assert!(after.state.is_null() && said.errors[0].contains("terraform import"), "{said:?}");
    assert_eq!(h.emu.count("POST", Some(LIST)), 0);
}

#[tokio::test]
async fn provenance_import_and_listing() {
    let h = Harness::start(&[]).await;
    let cfg = config(&h, "quiet", &[("email", vec![email(&h, "m")])], &[("disable_provenance", Value::Bool(true))]);
    let (created, said) = h.plan_apply(TYPE, None, &cfg).await;
    said.assert_clean();
    assert_eq!(held(&h, "quiet").await[0]["provenance"], "", "editable in Grafana's UI");
    let (imported, said) = h.import(TYPE, "1:quiet").await;
    said.assert_clean();
    let imported = imported.unwrap();
    assert_eq!(imported.state, created.state, "an email receiver has no secret: the import is the state");
    let (planned, _, _, said) = h.plan(TYPE, Some(&imported), &cfg).await;
    said.assert_clean();
    assert_eq!(planned, imported.state);
    h.assert_listed_as_imported(TYPE, &["grafana-default-email", "quiet"]).await;
}

#[tokio::test]
async fn every_write_is_sent_once_when_answers_are_lost() {
    let h = Harness::start(&["--drop-rate", "1"]).await;
    let slack = receiver(&h, "slack", &[("url", s("https://hooks.slack.example/x"))]);
    let cfg = config(&h, "lossy", &[("email", vec![email(&h, "m")]), ("slack", vec![slack])], &[]);
    let (created, said) = h.plan_apply(TYPE, None, &cfg).await;
    said.assert_clean();
    assert_eq!(h.emu.count("POST", Some(LIST)), 2, "each integration once");
    assert_eq!(held(&h, "lossy").await.len(), 2);
    let (planned, _, _, said) = h.plan(TYPE, Some(&created), &cfg).await;
    said.assert_clean();
    assert_eq!(planned, created.state);
    h.destroy(TYPE, &created).await.assert_clean();
    assert!(held(&h, "lossy").await.is_empty());
}

#[tokio::test]
async fn a_state_of_the_official_provider_plans_nothing_after_replace_provider() {
    let h = Harness::start(&[]).await;
    // What the official provider sent for `email { addresses }` and `opsgenie { api_key }`:
    // SDKv2 hands it `false` for the booleans nobody set, and it sends them.
    let email =
        json!({"name": "ops", "type": "email", "settings": {"addresses": "a@example.com", "singleEmail": false}});
    let opsgenie = json!({"name": "ops", "type": "opsgenie",
        "settings": {"apiKey": "k", "autoClose": false, "overridePriority": false}});
    let (_, email) = h.grafana("POST", LIST, Some(email)).await;
    let (_, opsgenie) = h.grafana("POST", LIST, Some(opsgenie)).await;
    // Its state (schema version 0): `""`, `false` and `[]` for what nobody set.
    let official = json!({"id": "1:ops", "org_id": "1", "name": "ops", "disable_provenance": false,
        "email": [{"uid": email["uid"], "addresses": ["a@example.com"], "single_email": false, "message": "",
            "subject": "", "disable_resolve_message": false, "settings": {}}],
        "opsgenie": [{"uid": opsgenie["uid"], "url": "", "api_key": "k", "message": "", "description": "",
            "auto_close": false, "override_priority": false, "send_tags_as": "", "responders": [],
            "disable_resolve_message": false, "settings": {}}]});
    let read = h.upgraded_and_read(TYPE, 0, &official).await;
    let cfg = config(
        &h,
        "ops",
        &[
            ("email", vec![receiver(&h, "email", &[("addresses", Value::List(vec![s("a@example.com")]))])]),
            ("opsgenie", vec![receiver(&h, "opsgenie", &[("api_key", s("k"))])]),
        ],
        &[],
    );
    let (planned, replace, _, said) = h.plan(TYPE, Some(&read), &cfg).await;
    said.assert_clean();
    assert!(replace.is_empty(), "{replace:?}");
    assert_eq!(planned, read.state, "no change");
}
