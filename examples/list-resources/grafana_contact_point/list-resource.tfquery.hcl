# Every contact point, by name (`terraform query`, Terraform ≥ 1.14).
list "grafana_contact_point" "all" {
  provider = grafana
}
