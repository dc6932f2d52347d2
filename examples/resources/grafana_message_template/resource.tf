# A notification template group: named templates contact points use in their messages.
resource "grafana_message_template" "team_a" {
  name     = "Team A"
  template = <<-EOT
    {{ define "team_a.title" }}[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}{{ end }}
    {{ define "team_a.message" }}{{ range .Alerts }}{{ .Annotations.summary }}
    {{ end }}{{ end }}
  EOT
}
