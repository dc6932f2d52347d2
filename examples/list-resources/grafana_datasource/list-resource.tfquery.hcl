# Every data source but the provisioned ones (`terraform query`, Terraform ≥ 1.14).
list "grafana_datasource" "all" {
  provider = grafana
}

# Only the Prometheus ones (Amazon Managed Service for Prometheus among them).
list "grafana_datasource" "prometheus" {
  provider = grafana
  config {
    type = "prometheus"
  }
}
