# One Terraform configuration instead of grafana-operator + Flux + External Secrets: the AWS
# provider makes the AMG workspace and an Amazon Managed Service for Prometheus workspace, and
# this provider fills the Grafana workspace (data source, folders, dashboards) in the same
# apply, with AMG-native auth: no Grafana token in a Secret, in state or in CI variables.
# See docs/guides/amg-native-auth.md.

terraform {
  required_providers {
    aws     = { source = "hashicorp/aws", version = ">= 5.0" }
    grafana = { source = "amg-oss/grafana", version = ">= 0.1.0" }
  }
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_iam_role" "grafana" {
  name = "grafana-workspace"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "grafana.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "prometheus" {
  role       = aws_iam_role.grafana.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonPrometheusQueryAccess"
}

resource "aws_grafana_workspace" "this" {
  name                     = "observability"
  account_access_type      = "CURRENT_ACCOUNT"
  authentication_providers = ["AWS_SSO"]
  permission_type          = "SERVICE_MANAGED"
  role_arn                 = aws_iam_role.grafana.arn
  data_sources             = ["PROMETHEUS"]
  grafana_version          = "12.4"
}

resource "aws_prometheus_workspace" "this" {
  alias = "observability"
}

provider "grafana" {
  workspace_id = aws_grafana_workspace.this.id
}

resource "grafana_data_source" "prometheus" {
  type = "grafana-amazonprometheus-datasource"
  name = "Amazon Managed Prometheus"
  uid  = "amp"
  url  = aws_prometheus_workspace.this.prometheus_endpoint
  json_data_encoded = jsonencode({
    sigV4Auth     = true
    sigV4AuthType = "ec2_iam_role"
    sigV4Region   = "eu-west-1"
  })
}

resource "grafana_folder" "platform" {
  title = "Platform"
  uid   = "platform"
}

resource "grafana_folder" "services" {
  title             = "Services"
  parent_folder_uid = grafana_folder.platform.uid
}

# Dashboards exported from Grafana, kept as JSON files beside the configuration (what a
# GrafanaDashboard custom resource pointed at); here one written inline.
resource "grafana_dashboard" "overview" {
  folder = grafana_folder.services.uid
  config_json = jsonencode({
    title = "Services overview"
    panels = [{
      id         = 1
      type       = "timeseries"
      title      = "Requests per second"
      datasource = { type = "grafana-amazonprometheus-datasource", uid = grafana_data_source.prometheus.uid }
      targets    = [{ refId = "A", expr = "sum(rate(http_requests_total[5m])) by (service)" }]
      gridPos    = { h = 8, w = 24, x = 0, y = 0 }
    }]
  })
}

output "grafana_url" {
  value = "https://${aws_grafana_workspace.this.endpoint}"
}
