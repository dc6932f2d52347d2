# Import by uid (or "1:<uid>").
terraform import grafana_data_source.cloudwatch cloudwatch-uid
