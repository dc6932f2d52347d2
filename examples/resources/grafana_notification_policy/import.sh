# The tree is one per workspace: its id is always "policy".
terraform import grafana_notification_policy.tree policy
