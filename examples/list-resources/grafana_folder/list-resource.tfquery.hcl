# Every folder, at every level (`terraform query`, Terraform ≥ 1.14).
list "grafana_folder" "all" {
  provider = grafana
  limit    = 1000
}

# Only the folders directly in one folder (Grafana 11 and later).
list "grafana_folder" "platform" {
  provider = grafana
  config {
    parent_uid = "platform"
  }
}
