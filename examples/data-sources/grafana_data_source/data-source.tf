# The official provider's name for the `grafana_datasource` lookup.
data "grafana_data_source" "amp" {
  uid = "amp-prod"
}
