# The notification policy tree (`terraform query`, Terraform ≥ 1.14): always one.
list "grafana_notification_policy" "tree" {
  provider = grafana
}
