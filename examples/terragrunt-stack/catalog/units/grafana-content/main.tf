# What a team gets in the workspace: its folder and an overview dashboard in it.

variable "team" {
  type = string
}

resource "grafana_folder" "team" {
  title = var.team
}

resource "grafana_dashboard" "overview" {
  folder = grafana_folder.team.uid
  config_json = jsonencode({
    title = "${var.team} overview"
    panels = [{
      id      = 1
      type    = "text"
      title   = "About"
      options = { content = "Dashboards of the ${var.team} team, managed by the terragrunt-stack example." }
      gridPos = { h = 4, w = 24, x = 0, y = 0 }
    }]
  })
}

output "folder_url" {
  value = grafana_folder.team.url
}
