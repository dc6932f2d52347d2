# Import by uid (or "1:<uid>", organisation 1 being the only one on AMG). Grafana never returns
# secrets: set them in the configuration, or the next apply removes them.
terraform import grafana_datasource.amp amp-prod
