//! Alerting resources under real Terraform. `grafana_message_template`: the official
//! provider's documentation example and its heredoc acceptance configuration
//! (`examples/resources/grafana_message_template/resource.tf` and `_acc_template_heredoc.tf` in
//! grafana/terraform-provider-grafana, MPL-2.0), verbatim, on both Terraform versions and both
//! Grafana profiles: apply, an empty plan, import by name, drift healed, destroy. The same for
//! `grafana_mute_timing`'s documentation example and `grafana_notification_policy`'s (with its
//! mute timings); and template groups and mute timings under faults.

use serde_json::{Value, json};

use crate::support::{Emulator, GrafanaAdmin, REQUIRED, Terraform, Workdir};

on_both_terraforms_and_profiles!(message_template_official_examples_live_their_lifecycle);

const OFFICIAL_EXAMPLE: &str = r#"resource "grafana_message_template" "my_template" {
  name     = "My Notification Template Group"
  template = "{{define \"custom.message\" }}\n template content\n{{ end }}"
}
"#;

const OFFICIAL_HEREDOC: &str = r#"resource "grafana_message_template" "heredoc_template" {
  name     = "Heredoc Notification Template Group"
  template = <<-EOT
{{define "custom.message" }}
 template content
{{ end }}
EOT
}
"#;

const MY: &str = "/api/v1/provisioning/templates/My%20Notification%20Template%20Group";
const HEREDOC: &str = "/api/v1/provisioning/templates/Heredoc%20Notification%20Template%20Group";

fn message_template_official_examples_live_their_lifecycle(tf: &Terraform, profile: &str) {
    let emu = Emulator::start(&["--grafana-version", profile]);
    let w = Workdir::new(tf);
    w.config(&emu, &format!("{OFFICIAL_EXAMPLE}\n{OFFICIAL_HEREDOC}"));
    w.init();
    w.apply().assert_summary("2 added, 0 changed, 0 destroyed");
    let content = "{{define \"custom.message\" }}\n template content\n{{ end }}";
    for path in [MY, HEREDOC] {
        let (status, held) = emu.grafana("GET", path, None);
        assert_eq!((status, held["template"].as_str()), (200, Some(content)), "{path}: Grafana stores it trimmed");
    }
    w.assert_plan_empty("the official examples");
    let state = w.state();
    assert_eq!(state["grafana_message_template.my_template"]["id"], "1:My Notification Template Group");

    // Imported by name: the same state, an empty plan.
    w.ok(&["state", "rm", "grafana_message_template.my_template"]);
    w.ok(&["import", "-no-color", "grafana_message_template.my_template", "My Notification Template Group"]);
    w.assert_plan_empty("after the import");

    // A change made in Grafana is drift: one update heals it.
    let (status, _) =
        emu.grafana("PUT", MY, Some(json!({"template": "{{ define \"custom.message\" }}edited{{ end }}"})));
    assert_eq!(status, 202);
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.lines().any(|l| l.trim() == "Plan: 0 to add, 1 to change, 0 to destroy."), "{r:?}");
    w.apply().assert_summary("0 added, 1 changed, 0 destroyed");
    assert_eq!(emu.grafana("GET", MY, None).1["template"], content);
    w.assert_plan_empty("after healing the drift");

    w.ok(&["destroy", "-auto-approve", "-no-color"]).assert_summary("2 destroyed");
    let (status, left) = emu.grafana("GET", "/api/v1/provisioning/templates", None);
    assert_eq!(status, 200);
    assert!(left.is_null() || left == Value::Array(Vec::new()), "nothing left: {left}");
}

on_both_terraforms_and_profiles!(mute_timing_official_example_lives_its_lifecycle);

/// `examples/resources/grafana_mute_timing/resource.tf` of grafana/terraform-provider-grafana
/// (MPL-2.0), verbatim: its comment says `"december"` breaks where `"12"` works there.
const OFFICIAL_MUTE_TIMING: &str = r#"resource "grafana_mute_timing" "my_mute_timing" {
    name = "My Mute Timing"

    intervals {
        times {
            start = "04:56"
            end = "14:17"
        }
        weekdays = ["monday", "tuesday:thursday"]
        days_of_month = ["1:7", "-1"]
        # TODO: This breaks on "december" but works on "12."
        months = ["1:3", "12"]
        years = ["2030", "2025:2026"]
    }
}"#;

const MUTE: &str = "/api/v1/provisioning/mute-timings/My%20Mute%20Timing";

fn mute_timing_official_example_lives_its_lifecycle(tf: &Terraform, profile: &str) {
    let emu = Emulator::start(&["--grafana-version", profile]);
    let w = Workdir::new(tf);
    w.config(&emu, OFFICIAL_MUTE_TIMING);
    w.init();
    w.apply().assert_summary("1 added, 0 changed, 0 destroyed");
    let (status, held) = emu.grafana("GET", MUTE, None);
    assert_eq!(status, 200);
    assert_eq!(held["time_intervals"][0]["months"], json!(["1:3", "12"]));
    assert_eq!(held["provenance"], "api", "provisioned by default");
    w.assert_plan_empty("the official example");
    assert_eq!(w.state()["grafana_mute_timing.my_mute_timing"]["id"], "1:My Mute Timing");

    // What its comment says breaks there: the month by name plans no change here.
    w.config(&emu, &OFFICIAL_MUTE_TIMING.replace(r#"months = ["1:3", "12"]"#, r#"months = ["1:3", "December"]"#));
    w.assert_plan_empty("december for 12");

    // Imported by the official id: the same state, an empty plan.
    w.ok(&["state", "rm", "grafana_mute_timing.my_mute_timing"]);
    w.ok(&["import", "-no-color", "grafana_mute_timing.my_mute_timing", "1:My Mute Timing"]);
    w.config(&emu, OFFICIAL_MUTE_TIMING);
    w.assert_plan_empty("after the import");

    // A change made in Grafana is drift: one update heals it.
    let drift = json!({"name": "My Mute Timing", "time_intervals": [{"weekdays": ["saturday"]}]});
    assert_eq!(emu.grafana("PUT", MUTE, Some(drift)).0, 202);
    let r = w.plan(&[]);
    assert!(r.stdout.lines().any(|l| l.trim() == "Plan: 0 to add, 1 to change, 0 to destroy."), "{r:?}");
    w.apply().assert_summary("0 added, 1 changed, 0 destroyed");
    assert_eq!(
        emu.grafana("GET", MUTE, None).1["time_intervals"][0]["weekdays"],
        json!(["monday", "tuesday:thursday"])
    );
    w.assert_plan_empty("after healing the drift");

    w.ok(&["destroy", "-auto-approve", "-no-color"]).assert_summary("1 destroyed");
    assert_eq!(emu.grafana("GET", "/api/v1/provisioning/mute-timings", None).1, json!([]));
}

on_both_terraforms!(alerting_objects_under_faults_are_written_exactly_once);

/// Throttling, 5xx and lost answers to writes: 10 template groups, 10 mute timings (with and
/// without provenance), 10 contact points of two receivers and 5 rule groups in a folder, each
/// exactly once in Grafana,
/// then an empty plan and a clean destroy.
fn alerting_objects_under_faults_are_written_exactly_once(tf: &Terraform) {
    let faults = ["--fault-rate", "0.3", "--drop-rate", "0.2", "--seed", "23"];
    let emu = Emulator::start(&faults);
    let w = Workdir::new(tf);
    let mut config = String::new();
    for i in 0..10 {
        config.push_str(&format!(
            "resource \"grafana_message_template\" \"t{i}\" {{\n  name = \"Team {i}\"\n  template = \"{{{{ define \\\"t{i}\\\" }}}}Team {i}{{{{ end }}}}\"\n}}\n\
             resource \"grafana_mute_timing\" \"m{i}\" {{\n  name = \"Nights {i}\"\n  disable_provenance = {}\n  intervals {{\n    times {{\n      start = \"22:00\"\n      end   = \"24:00\"\n    }}\n    months = [\"december\"]\n  }}\n}}\n\
             resource \"grafana_contact_point\" \"c{i}\" {{\n  name = \"Team {i}\"\n  email {{\n    addresses = [\"team{i}@example.com\"]\n  }}\n  webhook {{\n    url = \"https://hooks.example/{i}\"\n  }}\n}}\n",
            i % 2 == 0
        ));
    }
    config.push_str("resource \"grafana_folder\" \"rules\" {\n  title = \"Rules\"\n}\n");
    for i in 0..5 {
        config.push_str(&format!(
            "resource \"grafana_rule_group\" \"g{i}\" {{\n  name = \"Group {i}\"\n  folder_uid = grafana_folder.rules.uid\n  \
             interval_seconds = 60\n  disable_provenance = {}\n  rule {{\n    name = \"Rule {i}\"\n    condition = \"A\"\n    data {{\n      ref_id = \"A\"\n      \
             datasource_uid = \"__expr__\"\n      model = jsonencode({{ refId = \"A\", type = \"math\", expression = \"{i}\" }})\n      \
             relative_time_range {{\n        from = 0\n        to = 0\n      }}\n    }}\n  }}\n}}\n",
            i % 2 == 0
        ));
    }
    let provider = format!(
        "provider \"grafana\" {{\n  url     = \"{}\"\n  auth    = \"{}\"\n  retries = 8\n}}\n",
        emu.grafana_url, emu.admin_token
    );
    w.write("main.tf", &format!("{REQUIRED}\n{provider}\n{config}"));
    w.init();
    w.apply().assert_summary("36 added, 0 changed, 0 destroyed");
    let held =
        || (emu.held("templates"), emu.held("mute_timings"), emu.held("contact_points"), emu.held("alert_rules"));
    assert_eq!(held(), (10, 10, 20, 5), "each exactly once under {faults:?}");
    // Provenance `api` by default, none with `disable_provenance = true`.
    // A read, like any request, may meet an injected fault: the first answer of a few.
    let rules = (0..20)
        .map(|_| emu.grafana("GET", "/api/v1/provisioning/alert-rules", None))
        .find(|(status, _)| *status == 200)
        .expect("an answer in 20 reads")
        .1;
    let provenance =
        |title: &str| rules.as_array().unwrap().iter().find(|r| r["title"] == title).unwrap()["provenance"].clone();
    assert_eq!((provenance("Rule 0"), provenance("Rule 1")), (Value::Null, json!("api")));
    let met = &emu.stats()["faults"]["grafana"];
    assert!(met["injected"].as_u64() > Some(0) && met["dropped"].as_u64() > Some(0), "faults met: {met}");
    w.assert_plan_empty(&format!("under {faults:?}"));
    w.ok(&["destroy", "-auto-approve", "-no-color"]).assert_summary("36 destroyed");
    assert_eq!(held(), (0, 0, 0, 0));
}

on_both_terraforms_and_profiles!(notification_policy_lives_its_lifecycle_with_its_mute_timings);

/// The official documentation example of `grafana_notification_policy` (grafana/terraform-provider-grafana,
/// MPL-2.0), verbatim, with its contact point. `active_timings` needs Grafana 12.1: on 10.4 the
/// plan refuses it, and the rest runs without.
const POLICY_EXAMPLE: &str = r#"resource "grafana_contact_point" "a_contact_point" {
  name = "A Contact Point"

  email {
    addresses = ["one@company.org", "two@company.org"]
    message   = "{{ len .Alerts.Firing }} firing."
  }
}

resource "grafana_mute_timing" "a_mute_timing" {
  name = "Some Mute Timing"

  intervals {
    weekdays = ["monday"]
  }
}

resource "grafana_mute_timing" "working_hours" {
  name = "Working Hours"
  intervals {
    times {
      start = "09:00"
      end   = "18:00"
    }
  }
}


resource "grafana_notification_policy" "my_notification_policy" {
  group_by      = ["..."]
  contact_point = grafana_contact_point.a_contact_point.name

  group_wait      = "45s"
  group_interval  = "6m"
  repeat_interval = "3h"

  policy {
    matcher {
      label = "mylabel"
      match = "="
      value = "myvalue"
    }
    matcher {
      label = "alertname"
      match = "="
      value = "CPU Usage"
    }
    matcher {
      label = "Name"
      match = "=~"
      value = "host.*|host-b.*"
    }
    contact_point  = grafana_contact_point.a_contact_point.name // This can be omitted to inherit from the parent
    continue       = true
    mute_timings   = [grafana_mute_timing.a_mute_timing.name]
    active_timings = [grafana_mute_timing.working_hours.name]

    group_wait      = "45s"
    group_interval  = "6m"
    repeat_interval = "3h"

    policy {
      matcher {
        label = "sublabel"
        match = "="
        value = "subvalue"
      }
      contact_point = grafana_contact_point.a_contact_point.name // This can also be omitted to inherit from the parent's parent
      group_by      = ["..."]
    }
  }

  policy {
    matcher {
      label = "anotherlabel"
      match = "=~"
      value = "another value.*"
    }
    contact_point = grafana_contact_point.a_contact_point.name
    group_by      = ["..."]
  }
}
"#;

fn notification_policy_lives_its_lifecycle_with_its_mute_timings(tf: &Terraform, profile: &str) {
    let emu = Emulator::start(&["--grafana-version", profile]);
    let w = Workdir::new(tf);
    let active = "    active_timings = [grafana_mute_timing.working_hours.name]\n";
    w.config(&emu, POLICY_EXAMPLE);
    w.init();
    if profile == "10.4" {
        let r = w.plan(&[]);
        assert_eq!(r.code, 1, "{r:?}");
        assert!(r.all().contains("active_timings needs Grafana 12.1"), "{r:?}");
        w.config(&emu, &POLICY_EXAMPLE.replace(active, ""));
    }
    w.apply().assert_summary("4 added, 0 changed, 0 destroyed");
    let (_, held) = emu.grafana("GET", "/api/v1/provisioning/policies", None);
    assert_eq!((&held["group_interval"], &held["provenance"]), (&json!("6m"), &json!("api")));
    assert_eq!(held["receiver"], "A Contact Point");
    assert_eq!(held["routes"][0]["mute_time_intervals"], json!(["Some Mute Timing"]));
    assert_eq!(held["routes"][0]["routes"][0]["object_matchers"], json!([["sublabel", "=", "subvalue"]]));
    w.assert_plan_empty("the example");
    assert_eq!(w.state()["grafana_notification_policy.my_notification_policy"]["id"], "1:policy");

    // Imported by the official id: the same state, an empty plan.
    w.ok(&["state", "rm", "grafana_notification_policy.my_notification_policy"]);
    w.ok(&["import", "-no-color", "grafana_notification_policy.my_notification_policy", "policy"]);
    w.assert_plan_empty("after the import");

    // A change made in Grafana is drift: one update heals it.
    let reset = json!({"receiver": "grafana-default-email", "group_by": ["..."]});
    assert_eq!(emu.grafana("PUT", "/api/v1/provisioning/policies", Some(reset)).0, 202);
    let r = w.plan(&[]);
    assert!(r.stdout.lines().any(|l| l.trim() == "Plan: 0 to add, 1 to change, 0 to destroy."), "{r:?}");
    w.apply().assert_summary("0 added, 1 changed, 0 destroyed");
    w.assert_plan_empty("after healing the drift");

    // Destroy: the tree first (it names the timings and the contact point), reset to Grafana's
    // default; then the timings and the contact point.
    w.ok(&["destroy", "-auto-approve", "-no-color"]).assert_summary("4 destroyed");
    assert_eq!(emu.held("contact_points"), 0);
    let (_, held) = emu.grafana("GET", "/api/v1/provisioning/policies", None);
    assert_eq!(held, json!({"receiver": "grafana-default-email", "group_by": ["grafana_folder", "alertname"]}));
    assert_eq!(emu.grafana("GET", "/api/v1/provisioning/mute-timings", None).1, json!([]));
}

on_both_terraforms_and_profiles!(contact_point_official_examples_apply_plan_empty_and_destroy);

/// `examples/resources/grafana_contact_point/resource.tf` of grafana/terraform-provider-grafana
/// (MPL-2.0), verbatim.
const CONTACT_POINT_EXAMPLE: &str = r#"resource "grafana_contact_point" "my_contact_point" {
    name = "My Contact Point"

   email {
        addresses = ["one@company.org", "two@company.org"]
        message = "{{ len .Alerts.Firing }} firing."
        subject = "{{ template \"default.title\" .}}"
        single_email = true
        disable_resolve_message = false
    }
}
"#;

/// Its acceptance configuration `_acc_receiver_types.tf` (every receiver type but SNS and
/// OnCall, which have their own), verbatim.
const RECEIVER_TYPES: &str = include_str!("../fixtures/official/contact_point_receiver_types.tf");

fn contact_point_official_examples_apply_plan_empty_and_destroy(tf: &Terraform, profile: &str) {
    let emu = Emulator::start(&["--grafana-version", profile]);
    let w = Workdir::new(tf);
    w.config(&emu, &format!("{CONTACT_POINT_EXAMPLE}\n{RECEIVER_TYPES}"));
    w.init();
    w.apply().assert_summary("2 added, 0 changed, 0 destroyed");
    assert_eq!(emu.held("contact_points"), 21, "one integration per receiver block");
    let (_, held) = emu.grafana("GET", "/api/v1/provisioning/contact-points?name=My%20Contact%20Point", None);
    assert_eq!(held[0]["settings"]["addresses"], "one@company.org;two@company.org");
    assert_eq!(held[0]["provenance"], "api");
    w.assert_plan_empty("the examples");

    // Imported by name: the email one has no secret, so the import plans nothing.
    w.ok(&["state", "rm", "grafana_contact_point.my_contact_point"]);
    w.ok(&["import", "-no-color", "grafana_contact_point.my_contact_point", "My Contact Point"]);
    w.assert_plan_empty("after the import");

    // A receiver changed in Grafana is drift: one update heals it.
    let mut edited = held[0].clone();
    edited["settings"]["subject"] = json!("edited");
    let uid = edited["uid"].as_str().unwrap().to_string();
    assert_eq!(emu.grafana("PUT", &format!("/api/v1/provisioning/contact-points/{uid}"), Some(edited)).0, 202);
    let r = w.plan(&[]);
    assert!(r.stdout.lines().any(|l| l.trim() == "Plan: 0 to add, 1 to change, 0 to destroy."), "{r:?}");
    w.apply().assert_summary("0 added, 1 changed, 0 destroyed");
    w.assert_plan_empty("after healing the drift");

    w.ok(&["destroy", "-auto-approve", "-no-color"]).assert_summary("2 destroyed");
    assert_eq!(emu.held("contact_points"), 0, "only Grafana's default contact point left");
}

on_both_terraforms!(an_sns_contact_point_on_amg_publishes_with_the_workspace_role);

/// SNS on AMG, signed in with the workspace id: a topic with no keys is held in Grafana 10.4+'s
/// shape (`topic_arn`, no keys) and plans nothing after; a topic the service-managed role may not
/// publish to is warned about at plan.
fn an_sns_contact_point_on_amg_publishes_with_the_workspace_role(tf: &Terraform) {
    let emu = Emulator::start(&["--tls"]);
    let ws = emu.workspace_id.clone();
    let w = crate::amg_auth::workdir(tf, &emu, false);
    let provider = crate::amg_auth::provider_block(&emu, &format!("\"{ws}\""), "");
    let config = |topic: &str| {
        format!(
            "{REQUIRED}\n{provider}\nresource \"grafana_contact_point\" \"sns\" {{\n  name = \"On-call SNS\"\n\n  sns {{\n    topic = \"{topic}\"\n  }}\n}}\n"
        )
    };
    w.write("main.tf", &config("arn:aws:sns:us-east-1:123456789012:grafana-oncall"));
    w.init();
    let r = w.apply();
    r.assert_summary("1 added, 0 changed, 0 destroyed");
    assert!(!r.all().contains("Warning"), "a `grafana…` topic is the role's: {r:?}");
    let (_, held) = emu.grafana("GET", "/api/v1/provisioning/contact-points?name=On-call%20SNS", None);
    assert_eq!(
        held[0]["settings"],
        json!({"topic_arn": "arn:aws:sns:us-east-1:123456789012:grafana-oncall", "sigv4": {"region": "us-east-1"}}),
        "Grafana's own shape, no keys"
    );
    w.assert_plan_empty("an SNS contact point");

    w.write("main.tf", &config("arn:aws:sns:us-east-1:123456789012:oncall"));
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "{r:?}");
    let said = r.all().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(said.contains("Warning: SNS topic outside the workspace role's policy"), "{r:?}");
    assert!(said.contains("only to topics whose name starts with `grafana`"), "{r:?}");
    w.ok(&["destroy", "-auto-approve", "-no-color"]).assert_summary("1 destroyed");
}

on_both_terraforms!(contact_point_official_acceptance_configurations_apply_and_change_receiver_by_receiver);

/// The official acceptance configurations for OnCall, OpsGenie responders, default settings and
/// a contact point of several receivers of one type, to which one is added, then two taken away:
/// each receiver is one integration whose uid stays while it stays. Verbatim, but for the two
/// `receiver_types` resource labels, made distinct to share one configuration.
fn contact_point_official_acceptance_configurations_apply_and_change_receiver_by_receiver(tf: &Terraform) {
    let fixture = |name: &str| {
        std::fs::read_to_string(format!("{}/tests/fixtures/official/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    };
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    let others = ["contact_point_receiver_types_10_2.tf", "contact_point_receiver_types_10_3.tf"]
        .map(|f| fixture(f).replace("\"receiver_types\"", &format!("\"{}\"", f.trim_end_matches(".tf"))))
        .join("\n");
    let with =
        |compound: &str| format!("{others}\n{}\n{}", fixture("contact_point_default_settings.tf"), fixture(compound));
    w.config(&emu, &with("contact_point_compound_receiver.tf"));
    w.init();
    w.apply().assert_summary("4 added, 0 changed, 0 destroyed");
    let (_, held) =
        emu.grafana("GET", "/api/v1/provisioning/contact-points?name=Receiver%20Types%20since%20v10.3", None);
    assert_eq!(
        held[0]["settings"]["responders"],
        json!([{"type": "user", "id": "803f87e1a7f848b0a0779810bee5d1d3"}, {"type": "team", "name": "Test team"}])
    );
    w.assert_plan_empty("the acceptance configurations");
    let compound = || {
        let (_, held) = emu.grafana("GET", "/api/v1/provisioning/contact-points?name=Compound%20Contact%20Point", None);
        held.as_array()
            .unwrap()
            .iter()
            .map(|i| (i["uid"].as_str().unwrap().to_string(), i["settings"]["addresses"].as_str().unwrap().to_string()))
            .collect::<Vec<_>>()
    };
    let two = compound();
    assert_eq!(two.len(), 2);

    w.config(&emu, &with("contact_point_compound_receiver_added.tf"));
    w.apply().assert_summary("0 added, 1 changed, 0 destroyed");
    let three = compound();
    assert_eq!((three.len(), &three[..2]), (3, &two[..]), "the two kept their integrations");
    w.assert_plan_empty("a receiver added");

    w.config(&emu, &with("contact_point_compound_receiver_subtracted.tf"));
    w.apply().assert_summary("0 added, 1 changed, 0 destroyed");
    assert_eq!(compound(), vec![two.into_iter().find(|(_, a)| a == "one@company.org;two@company.org").unwrap()]);
    w.assert_plan_empty("two receivers taken away");
    w.ok(&["destroy", "-auto-approve", "-no-color"]).assert_summary("4 destroyed");
    assert_eq!(emu.held("contact_points"), 0);
}
