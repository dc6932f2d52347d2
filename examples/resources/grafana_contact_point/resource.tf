# On-call gets email, and Amazon SNS through the workspace's IAM role: on AMG a topic with no
# keys needs nothing else (a service-managed workspace's role publishes to topics named
# `grafana*`).
resource "grafana_contact_point" "oncall" {
  name = "On-call"

  email {
    addresses = ["oncall@example.com", "sre@example.com"]
    subject   = "{{ template \"default.title\" . }}"
  }

  sns {
    topic   = "arn:aws:sns:us-east-1:123456789012:grafana-oncall"
    subject = "{{ template \"default.title\" . }}"
  }
}
