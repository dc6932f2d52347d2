//! Alerting resources under real Terraform. `grafana_message_template`: the official
//! provider's documentation example and its heredoc acceptance configuration
//! (`examples/resources/grafana_message_template/resource.tf` and `_acc_template_heredoc.tf` in
//! grafana/terraform-provider-grafana, MPL-2.0), verbatim, on both Terraform versions and both
//! Grafana profiles: apply, an empty plan, import by name, drift healed, destroy.

use serde_json::{Value, json};

use crate::support::{Emulator, GrafanaAdmin, Terraform, Workdir};

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
