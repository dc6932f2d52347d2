# The quickstart: a folder tree and a dashboard in a Grafana workspace.
# `cargo xtask quickstart` applies it against amg-local, the local AMG emulator,
# with GRAFANA_URL and GRAFANA_AUTH pointing at the emulator's workspace.

terraform {
  required_providers {
    grafana = {
      source  = "amg-oss/grafana"
      version = "0.1.0"
    }
  }
}

# url and auth come from GRAFANA_URL and GRAFANA_AUTH.
provider "grafana" {}

resource "grafana_folder" "platform" {
  title = "Platform"
  uid   = "platform"
}

resource "grafana_folder" "observability" {
  title             = "Observability"
  parent_folder_uid = grafana_folder.platform.uid
}

data "grafana_folder" "platform" {
  title      = grafana_folder.platform.title
  depends_on = [grafana_folder.platform]
}

resource "grafana_dashboard" "overview" {
  folder  = grafana_folder.observability.uid
  message = "Created by the quickstart"
  config_json = jsonencode({
    title = "Platform overview"
    tags  = ["quickstart"]
    panels = [{
      id      = 1
      type    = "timeseries"
      title   = "Requests per second"
      gridPos = { h = 8, w = 12, x = 0, y = 0 }
    }]
  })
}

output "dashboard_url" {
  value = grafana_dashboard.overview.url
}

output "platform_url" {
  value = grafana_folder.platform.url
}

output "observability_uid" {
  value = grafana_folder.observability.uid
}
