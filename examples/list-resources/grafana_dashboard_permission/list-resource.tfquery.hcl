# The permission list of every dashboard (`terraform query`, Terraform ≥ 1.14).
list "grafana_dashboard_permission" "all" {
  provider = grafana
}
