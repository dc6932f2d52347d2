# Import by folder uid and group name (or "1:<folderUID>:<name>", organisation 1 being the only one on AMG).
terraform import grafana_rule_group.api "service-alerts:API"
