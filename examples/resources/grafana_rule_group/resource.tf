# A rule group: one folder's rules, evaluated together every minute. The rule fires when the
# 5xx rate of the last 10 minutes, read from an Amazon Managed Service for Prometheus data
# source, stays above 5% for 5 minutes.
resource "grafana_folder" "alerts" {
  title = "Service alerts"
}

resource "grafana_rule_group" "api" {
  name             = "API"
  folder_uid       = grafana_folder.alerts.uid
  interval_seconds = 60

  rule {
    name      = "High 5xx rate"
    for       = "5m"
    condition = "C"
    labels = {
      team = "api"
    }
    annotations = {
      summary = "More than 5% of API requests fail"
    }

    data {
      ref_id         = "A"
      datasource_uid = "amp"
      relative_time_range {
        from = 600
        to   = 0
      }
      model = jsonencode({
        refId = "A"
        expr  = "sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m]))"
      })
    }

    data {
      ref_id         = "C"
      datasource_uid = "__expr__"
      relative_time_range {
        from = 0
        to   = 0
      }
      model = jsonencode({
        refId      = "C"
        type       = "threshold"
        expression = "A"
        conditions = [{ evaluator = { type = "gt", params = [0.05] } }]
      })
    }
  }
}
