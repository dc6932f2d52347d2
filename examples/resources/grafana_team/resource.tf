# A team of users who have signed in to the workspace (AMG users come from IAM Identity
# Center or SAML and appear on first sign-in), by email or login.
resource "grafana_team" "sre" {
  name    = "SRE"
  email   = "sre@example.com"
  members = ["alice@example.com", "bob"]

  preferences {
    theme    = "dark"
    timezone = "utc"
  }
}
