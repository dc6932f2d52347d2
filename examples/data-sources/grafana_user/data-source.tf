# A user who has signed in to the workspace (AMG users come from IAM Identity Center or SAML
# and appear on their first sign-in), looked up by email.
data "grafana_user" "alice" {
  email = "alice@example.com"
}

output "alice_user_id" {
  value = data.grafana_user.alice.user_id
}
