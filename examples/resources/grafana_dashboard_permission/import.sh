# Import by the dashboard's uid (or "1:<uid>").
terraform import grafana_dashboard_permission.latency latency
