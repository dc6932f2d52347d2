data "grafana_datasources" "all" {}

output "data_source_names" {
  value = [for d in data.grafana_datasources.all.datasources : d.name]
}
