# The AMG workspace. Its id is what the content unit needs.

variable "workspace_name" {
  type = string
}

variable "grafana_version" {
  type = string
}

resource "aws_grafana_workspace" "this" {
  name                     = var.workspace_name
  account_access_type      = "CURRENT_ACCOUNT"
  authentication_providers = ["AWS_SSO"]
  permission_type          = "SERVICE_MANAGED"
  data_sources             = ["PROMETHEUS"]
  grafana_version          = var.grafana_version
}

output "workspace_id" {
  value = aws_grafana_workspace.this.id
}
