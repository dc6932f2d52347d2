# Import by uid (or "1:<uid>", organisation 1 being the only one on AMG).
terraform import grafana_dashboard.overview service-overview
