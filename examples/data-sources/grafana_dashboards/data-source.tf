data "grafana_dashboards" "team_a" {
  folder_uids = ["team-a"]
  tags        = ["team-a"]
}

output "team_a_dashboards" {
  value = data.grafana_dashboards.team_a.uids
}
