data "grafana_folder" "by_uid" {
  uid = "team-a"
}

data "grafana_folder" "by_title" {
  title = "Team A"
}
