# Every team (`terraform query`, Terraform ≥ 1.14).
list "grafana_team" "all" {
  provider = grafana
}
