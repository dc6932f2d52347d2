# What goes in the workspace: a data source, a folder and a dashboard that reads it.

variable "amp_workspace_id" {
  description = "The Amazon Managed Service for Prometheus workspace the data source reads."
  type        = string
  default     = "ws-terragrunt"
}

resource "grafana_data_source" "amp" {
  type = "prometheus"
  name = "AMP"
  uid  = "amp"
  url  = "https://aps-workspaces.${var.region}.amazonaws.com/workspaces/${var.amp_workspace_id}/"
  json_data_encoded = jsonencode({
    httpMethod    = "POST"
    sigV4Auth     = true
    sigV4AuthType = "ec2_iam_role"
    sigV4Region   = var.region
  })
}

resource "grafana_folder" "services" {
  title = "Services"
  uid   = "services"
}

resource "grafana_dashboard" "latency" {
  folder = grafana_folder.services.uid
  config_json = jsonencode({
    uid   = "service-latency"
    title = "Service latency"
    panels = [{
      id         = 1
      type       = "timeseries"
      title      = "p99 latency"
      datasource = { type = "prometheus", uid = grafana_data_source.amp.uid }
      targets    = [{ refId = "A", expr = "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))" }]
      gridPos    = { h = 8, w = 24, x = 0, y = 0 }
    }]
  })
}

output "dashboard_url" {
  value = grafana_dashboard.latency.url
}
