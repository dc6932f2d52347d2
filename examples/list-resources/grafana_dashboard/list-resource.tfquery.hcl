# Every dashboard but the ones app plugins own (`terraform query`, Terraform ≥ 1.14).
list "grafana_dashboard" "all" {
  provider = grafana
  limit    = 1000
}

# One folder's dashboards that carry the tag `prod` and say "latency" in their title.
list "grafana_dashboard" "platform_latency" {
  provider = grafana
  config {
    folder_uid = "platform"
    tags       = ["prod"]
    query      = "latency"
  }
}
