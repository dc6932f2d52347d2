# URL mode: any Grafana, including an AMG workspace, with a service-account token.
provider "grafana" {
  url  = "https://${aws_grafana_workspace.this.endpoint}"
  auth = aws_grafana_workspace_service_account_token.terraform.key
}
