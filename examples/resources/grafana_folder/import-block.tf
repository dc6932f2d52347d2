# Terraform ≥ 1.5: import by uid.
import {
  to = grafana_folder.team
  id = "team-a"
}

# Terraform ≥ 1.12: import by identity.
# import {
#   to       = grafana_folder.team
#   identity = { uid = "team-a" }
# }
