# The root the generated units include (from .terragrunt-stack/<unit>/, find_in_parent_folders
# finds this file): it generates the providers (one place to pin versions and configure auth)
# and keeps each unit's state apart. The units come from ../catalog through
# terragrunt.stack.hcl.

locals {
  region = "us-east-1"
}

# Local state keeps the example self-contained; use the "s3" backend in a real stack.
remote_state {
  backend = "local"
  generate = {
    path      = "backend.tf"
    if_exists = "overwrite_terragrunt"
  }
  config = {
    path = "${get_parent_terragrunt_dir()}/.state/${path_relative_to_include()}/terraform.tfstate"
  }
}

generate "providers" {
  path      = "providers.tf"
  if_exists = "overwrite_terragrunt"
  contents  = <<EOF
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
  type = string
}

variable "workspace_id" {
  description = "The AMG workspace the grafana provider signs in to (the workspace unit's output); unused there."
  type        = string
  default     = null
}

variable "local_emulator" {
  description = "true against amg-local: skips the AWS provider's account checks."
  type        = bool
  default     = false
}

variable "amg_endpoint" {
  description = "The AMG control plane endpoint; null for AWS's own."
  type        = string
  default     = null
}

variable "grafana_ca_cert" {
  description = "A CA certificate for the workspace's Grafana; null for the system's."
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

# AMG-native auth: a short-lived token minted with the unit's AWS credentials, deleted after
# the run. Nothing to store in the stack or its state.
provider "grafana" {
  workspace_id = var.workspace_id
  region       = var.region
  ca_cert      = var.grafana_ca_cert
}
EOF
}

inputs = {
  region = local.region
}
