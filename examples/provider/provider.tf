# AMG-native auth (recommended): the workspace id and the caller's AWS credentials (any that
# the AWS SDK finds: environment, profile, SSO, IRSA, instance role) are all the provider needs.
# It mints a short-lived Grafana token when it first needs one and deletes it when Terraform is
# done; no Grafana credential is stored anywhere. Here the workspace is created in the same
# configuration; for an existing one, write its id (or set GRAFANA_AMG_WORKSPACE_ID).
resource "aws_grafana_workspace" "this" {
  name                     = "observability"
  account_access_type      = "CURRENT_ACCOUNT"
  authentication_providers = ["AWS_SSO"]
  permission_type          = "SERVICE_MANAGED"
  grafana_version          = "12.4"
}

provider "grafana" {
  workspace_id = aws_grafana_workspace.this.id
}

# URL mode, for any Grafana (or an AMG workspace with a token you manage yourself):
#
# provider "grafana" {
#   url  = "https://${aws_grafana_workspace.this.endpoint}"
#   auth = var.grafana_token
# }
