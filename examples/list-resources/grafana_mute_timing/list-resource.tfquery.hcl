# Every mute timing (`terraform query`, Terraform ≥ 1.14).
list "grafana_mute_timing" "all" {
  provider = grafana
}
