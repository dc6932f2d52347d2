# Who may do what in a folder: editors edit, the SRE team views, one user (who has signed in
# through single sign-on) administers. Permissions not listed are removed.
resource "grafana_folder" "ops" {
  title = "Operations"
}

resource "grafana_team" "sre" {
  name = "SRE"
}

data "grafana_user" "alice" {
  email = "alice@example.com"
}

resource "grafana_folder_permission" "ops" {
  folder_uid = grafana_folder.ops.uid

  permissions {
    role       = "Editor"
    permission = "Edit"
  }
  permissions {
    team_id    = grafana_team.sre.id
    permission = "View"
  }
  permissions {
    user_id    = data.grafana_user.alice.id
    permission = "Admin"
  }
}
