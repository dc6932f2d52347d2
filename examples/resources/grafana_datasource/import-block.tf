# Adopt a data source that already exists: with an import block, `terraform plan
# -generate-config-out=generated.tf` writes its configuration for you.
#
# Grafana never returns secrets, so the generated configuration has none. Before applying it,
# add them (`secure_json_data_encoded_wo`, `http_headers_wo`): applied as generated, it removes
# the secrets Grafana holds. The plan says so, with a warning naming them and
# `secure_json_fields` losing those keys.
import {
  to = grafana_datasource.amp
  id = "amp-prod"
}

# Terraform ≥ 1.12: import by identity.
# import {
#   to       = grafana_datasource.amp
#   identity = { uid = "amp-prod" }
# }
