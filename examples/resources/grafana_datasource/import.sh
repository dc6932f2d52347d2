# Import by uid (or "1:<uid>", organisation 1 being the only one on AMG). Grafana never returns
# secrets: a configuration that sets none keeps the ones Grafana holds; once it sets one, it must
# set them all (a secret it leaves out is removed).
terraform import grafana_datasource.amp amp-prod
