resource "grafana_folder" "team" {
  title = "Team A"
}

# A dashboard written in HCL.
resource "grafana_dashboard" "overview" {
  folder  = grafana_folder.team.uid
  message = "Managed by Terraform"
  config_json = jsonencode({
    title = "Service overview"
    uid   = "service-overview"
    tags  = ["team-a"]
    panels = [{
      id      = 1
      type    = "timeseries"
      title   = "Requests"
      gridPos = { h = 8, w = 12, x = 0, y = 0 }
    }]
  })
}

# A dashboard exported from Grafana ("Export for sharing externally"): its ${DS_PROMETHEUS}
# placeholders are filled from `inputs`, as Grafana's import dialog does.
resource "grafana_dashboard" "exported" {
  folder      = grafana_folder.team.uid
  config_json = file("${path.module}/exported-dashboard.json")
  inputs = {
    DS_PROMETHEUS = "amp-prod"
  }
}
