# The official provider's name for `grafana_datasource`: list with one of the two names, not
# both (each lists the same data sources).
list "grafana_data_source" "all" {
  provider = grafana
}
