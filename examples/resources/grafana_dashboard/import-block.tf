# Adopt a dashboard that already exists: with an import block, `terraform plan
# -generate-config-out=generated.tf` writes its configuration for you.
import {
  to = grafana_dashboard.overview
  id = "service-overview"
}

# Terraform ≥ 1.12: import by identity.
# import {
#   to       = grafana_dashboard.overview
#   identity = { uid = "service-overview" }
# }
