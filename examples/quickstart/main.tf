# The quickstart: an Amazon Managed Grafana workspace and what goes in it, in one plan.
#
# The AWS provider creates the workspace; this provider signs in to it with the AWS credentials
# Terraform already has (AMG-native auth: it mints a short-lived token and deletes it when done)
# and fills it: an Amazon Managed Service for Prometheus data source, a folder tree and three
# real dashboards, one of them an export with `__inputs`.
#
# `cargo xtask quickstart` applies it against amg-local, the local AMG emulator
# (local_emulator = true). Against AWS: `terraform apply -var amp_workspace_id=ws-...`.

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
    grafana = {
      source  = "amg-oss/grafana"
      version = ">= 0.1.0"
    }
  }
}

variable "region" {
  description = "The AWS region of the workspace."
  type        = string
  default     = "us-east-1"
}

variable "amp_workspace_id" {
  description = "The Amazon Managed Service for Prometheus workspace the data source reads (ws-...)."
  type        = string
  default     = "ws-quickstart"
}

variable "local_emulator" {
  description = "Talk to amg-local instead of AWS: skips the AWS provider's account checks."
  type        = bool
  default     = false
}

variable "amg_endpoint" {
  description = "The AMG control plane endpoint; null for AWS's own. The quickstart sets amg-local's."
  type        = string
  default     = null
}

variable "grafana_ca_cert" {
  description = "A CA certificate to trust for the workspace's Grafana; null for the system's. The quickstart sets amg-local's."
  type        = string
  default     = null
}

provider "aws" {
  region                      = var.region
  skip_credentials_validation = var.local_emulator
  skip_requesting_account_id  = var.local_emulator
  skip_metadata_api_check     = var.local_emulator
  endpoints {
    grafana = var.amg_endpoint
  }
}

resource "aws_grafana_workspace" "this" {
  name                     = "quickstart"
  description              = "Dashboards managed with Terraform"
  account_access_type      = "CURRENT_ACCOUNT"
  authentication_providers = ["AWS_SSO"]
  permission_type          = "SERVICE_MANAGED"
  data_sources             = ["PROMETHEUS"]
  grafana_version          = "12.4"
}

# AMG-native auth: the workspace id and the AWS credentials Terraform already has. No API key
# in the configuration or the state.
provider "grafana" {
  workspace_id = aws_grafana_workspace.this.id
  region       = var.region
  ca_cert      = var.grafana_ca_cert
}

resource "grafana_data_source" "amp" {
  type = "prometheus"
  name = "Amazon Managed Service for Prometheus"
  uid  = "amp"
  url  = "https://aps-workspaces.${var.region}.amazonaws.com/workspaces/${var.amp_workspace_id}/"
  json_data_encoded = jsonencode({
    httpMethod    = "POST"
    sigV4Auth     = true
    sigV4AuthType = "ec2_iam_role" # the workspace's IAM role
    sigV4Region   = var.region
  })
}

resource "grafana_folder" "platform" {
  title = "Platform"
  uid   = "platform"
}

resource "grafana_folder" "kubernetes" {
  title             = "Kubernetes"
  uid               = "kubernetes"
  parent_folder_uid = grafana_folder.platform.uid
}

# An export from Grafana's "Export for sharing externally": its `__inputs` are filled here.
resource "grafana_dashboard" "global" {
  folder      = grafana_folder.kubernetes.uid
  config_json = file("${path.module}/dashboards/k8s-views-global.json")
  inputs = {
    DS_PROMETHEUS = grafana_data_source.amp.uid
  }
}

resource "grafana_dashboard" "apiserver" {
  folder      = grafana_folder.kubernetes.uid
  config_json = file("${path.module}/dashboards/apiserver-basic.json")
}

resource "grafana_dashboard" "nodes" {
  folder      = grafana_folder.platform.uid
  config_json = file("${path.module}/dashboards/nodeexporter-nodes.json")
  message     = "Created by the quickstart"
}

output "workspace_id" {
  value = aws_grafana_workspace.this.id
}

output "grafana_url" {
  value = "https://${aws_grafana_workspace.this.endpoint}"
}

output "dashboard_urls" {
  value = {
    global    = grafana_dashboard.global.url
    apiserver = grafana_dashboard.apiserver.url
    nodes     = grafana_dashboard.nodes.url
  }
}

output "data_source_uid" {
  value = grafana_data_source.amp.uid
}
