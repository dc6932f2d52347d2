data "grafana_dashboard" "overview" {
  uid = "service-overview"
}

output "overview_title" {
  value = data.grafana_dashboard.overview.title
}
