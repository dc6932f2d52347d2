# An explicit Terragrunt stack: `terragrunt stack generate` writes each unit below into
# .terragrunt-stack/<path>/ (the unit's files from the catalog, plus a terragrunt.values.hcl
# holding its `values`), and `terragrunt stack run apply` applies them in dependency order.

unit "workspace" {
  source = "../catalog/units/amg-workspace"
  path   = "workspace"
  values = {
    name            = "grafana-stack"
    grafana_version = "10.4"
  }
}

unit "content" {
  source = "../catalog/units/grafana-content"
  path   = "content"
  values = {
    workspace_path = "../workspace"
    team           = "Payments"
  }
}
