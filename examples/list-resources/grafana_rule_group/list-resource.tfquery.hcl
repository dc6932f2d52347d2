# Every rule group (`terraform query`, Terraform ≥ 1.14).
list "grafana_rule_group" "all" {
  provider = grafana
}
