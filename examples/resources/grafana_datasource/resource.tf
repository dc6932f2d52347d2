# Amazon Managed Service for Prometheus through the dedicated plugin, signed with the
# workspace's IAM role (AMG's "workspace IAM role" is `ec2_iam_role`).
resource "grafana_datasource" "amp" {
  name       = "AMP"
  type       = "grafana-amazonprometheus-datasource"
  url        = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1234abcd-12ab-34cd-56ef-1234567890ab/"
  is_default = true
  json_data_encoded = jsonencode({
    httpMethod    = "POST"
    sigV4Auth     = true
    sigV4AuthType = "ec2_iam_role"
    sigV4Region   = "us-east-1"
  })
}

# The same workspace through core Prometheus with SigV4 (Grafana 12 and later may convert it
# to the plugin above; the provider says so and keeps working).
resource "grafana_datasource" "amp_core" {
  name = "AMP (core Prometheus)"
  type = "prometheus"
  url  = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1234abcd-12ab-34cd-56ef-1234567890ab/"
  json_data_encoded = jsonencode({
    httpMethod    = "POST"
    sigV4Auth     = true
    sigV4AuthType = "ec2_iam_role"
    sigV4Region   = "us-east-1"
  })
}

resource "grafana_datasource" "cloudwatch" {
  name = "CloudWatch"
  type = "cloudwatch"
  json_data_encoded = jsonencode({
    authType      = "ec2_iam_role"
    defaultRegion = "us-east-1"
  })
}

resource "grafana_datasource" "xray" {
  name = "X-Ray"
  type = "grafana-x-ray-datasource"
  json_data_encoded = jsonencode({
    authType      = "ec2_iam_role"
    defaultRegion = "us-east-1"
  })
}

# A password and a header that never reach the state (Terraform ≥ 1.11): bump the version
# numbers to send new values. The password comes from an ephemeral variable (Terraform ≥ 1.10):
# a literal would show in `terraform show -json` of a saved plan. Pass it with
# TF_VAR_loki_password; the default is only for trying the example.
variable "loki_password" {
  type      = string
  ephemeral = true
  default   = "an example password"
}

resource "grafana_datasource" "loki" {
  name                = "Loki"
  type                = "loki"
  url                 = "https://loki.example.com"
  basic_auth_enabled  = true
  basic_auth_username = "grafana"

  secure_json_data_encoded_wo         = jsonencode({ basicAuthPassword = var.loki_password })
  secure_json_data_encoded_wo_version = 1
  http_headers_wo                     = { "X-Scope-OrgID" = "team-a" }
  http_headers_wo_version             = 1
}
