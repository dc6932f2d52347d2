# URL mode: any Grafana, including an AMG workspace, with a service-account token. Here the
# AWS provider creates the workspace and the token in the same configuration; with an existing
# workspace, set `url` and `auth` (or GRAFANA_URL and GRAFANA_AUTH) instead.
resource "aws_grafana_workspace" "this" {
  name                     = "observability"
  account_access_type      = "CURRENT_ACCOUNT"
  authentication_providers = ["AWS_SSO"]
  permission_type          = "SERVICE_MANAGED"
  grafana_version          = "12.4"
}

resource "aws_grafana_workspace_service_account" "terraform" {
  name         = "terraform"
  grafana_role = "ADMIN"
  workspace_id = aws_grafana_workspace.this.id
}

resource "aws_grafana_workspace_service_account_token" "terraform" {
  name               = "terraform"
  service_account_id = aws_grafana_workspace_service_account.terraform.service_account_id
  seconds_to_live    = 3600
  workspace_id       = aws_grafana_workspace.this.id
}

provider "grafana" {
  url  = "https://${aws_grafana_workspace.this.endpoint}"
  auth = aws_grafana_workspace_service_account_token.terraform.key
}
