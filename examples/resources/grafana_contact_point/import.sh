# Import by the contact point's name (or "1:<name>"). Secrets (webhook passwords, API keys) are
# not readable from Grafana: the first plan after an import sets them from the configuration.
terraform import grafana_contact_point.oncall "On-call"
