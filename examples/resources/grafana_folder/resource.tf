resource "grafana_folder" "team" {
  title = "Team A"
  uid   = "team-a"
}

# Nested folders need Grafana 11 or later (AMG 12.4).
resource "grafana_folder" "alerts" {
  title             = "Team A alerts"
  parent_folder_uid = grafana_folder.team.uid

  # Refuse to destroy while dashboards or folders are still inside.
  prevent_destroy_if_not_empty = true
}
