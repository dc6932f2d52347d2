# Who may do what on one dashboard, beyond what its folder grants: the on-call team edits it,
# one user (who has signed in through single sign-on) administers it. Permissions not listed
# are removed from the dashboard (what the folder grants stays the folder's).
resource "grafana_folder" "ops" {
  title = "Operations"
}

resource "grafana_dashboard" "latency" {
  folder      = grafana_folder.ops.uid
  config_json = jsonencode({ title = "Latency", panels = [] })
}

resource "grafana_team" "oncall" {
  name = "On-call"
}

data "grafana_user" "alice" {
  email = "alice@example.com"
}

resource "grafana_dashboard_permission" "latency" {
  dashboard_uid = grafana_dashboard.latency.uid

  permissions {
    team_id    = grafana_team.oncall.id
    permission = "Edit"
  }
  permissions {
    user_id    = data.grafana_user.alice.id
    permission = "Admin"
  }
}
