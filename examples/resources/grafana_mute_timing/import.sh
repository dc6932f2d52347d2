# Import by name (or "1:<name>", organisation 1 being the only one on AMG).
terraform import grafana_mute_timing.maintenance "Sunday maintenance"
