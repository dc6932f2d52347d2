# Adopt a data source that already exists: with an import block, `terraform plan
# -generate-config-out=generated.tf` writes its configuration for you.
#
# Grafana never returns secrets, so the generated configuration has none, and setting none it
# leaves the secrets Grafana holds as they are: the plan is the import alone. To manage them with
# Terraform, set them all (`secure_json_data_encoded_wo`, `http_headers_wo`): from then on a
# secret the configuration leaves out is removed. `terraform query` warns about each data source
# that holds secrets (see the guide "Adopting an existing workspace").
import {
  to = grafana_data_source.cloudwatch
  id = "cloudwatch"
}

# Terraform ≥ 1.12: import by identity.
# import {
#   to       = grafana_data_source.cloudwatch
#   identity = { uid = "cloudwatch" }
# }
