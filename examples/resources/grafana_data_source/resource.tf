# `grafana_data_source` is the official provider's name for `grafana_datasource`: configurations
# written for it run unchanged. Switch names without re-creating with a moved block:
#
#   moved {
#     from = grafana_data_source.cloudwatch
#     to   = grafana_datasource.cloudwatch
#   }
resource "grafana_data_source" "cloudwatch" {
  type = "cloudwatch"
  name = "cw-example"

  json_data_encoded = jsonencode({
    defaultRegion = "us-east-1"
    authType      = "ec2_iam_role"
  })
}
