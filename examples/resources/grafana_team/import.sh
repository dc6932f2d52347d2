# Import by the team's numeric id (or "1:<teamID>").
terraform import grafana_team.sre 7
