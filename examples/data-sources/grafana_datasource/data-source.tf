data "grafana_datasource" "amp" {
  name = "AMP"
}

output "amp_uid" {
  value = data.grafana_datasource.amp.uid
}
