# The AMG workspace. Its id is what the dashboards unit needs.

resource "aws_grafana_workspace" "this" {
  name                     = "terragrunt-stack"
  account_access_type      = "CURRENT_ACCOUNT"
  authentication_providers = ["AWS_SSO"]
  permission_type          = "SERVICE_MANAGED"
  data_sources             = ["PROMETHEUS"]
  grafana_version          = "10.4"
}

output "workspace_id" {
  value = aws_grafana_workspace.this.id
}

output "grafana_url" {
  value = "https://${aws_grafana_workspace.this.endpoint}"
}
