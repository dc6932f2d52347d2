# Every notification template group (`terraform query`, Terraform ≥ 1.14).
list "grafana_message_template" "all" {
  provider = grafana
}
