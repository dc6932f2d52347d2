# A token for a second provider block with a lower role, minted for this run and deleted at
# its end: nothing of it is in the state or the plan (Terraform 1.10 or later).
variable "workspace_id" {
  description = "The AMG workspace, e.g. aws_grafana_workspace.this.id."
  type        = string
}

# The provider's own AMG-native auth (an ADMIN token of its own).
provider "grafana" {
  workspace_id = var.workspace_id
}

# The same workspace (the provider's), an EDITOR token.
ephemeral "grafana_amg_token" "editor" {
  grafana_role = "EDITOR"
  ttl_seconds  = 900
}

provider "grafana" {
  alias = "editor"
  url   = ephemeral.grafana_amg_token.editor.url
  auth  = ephemeral.grafana_amg_token.editor.token
}

resource "grafana_folder" "team" {
  provider = grafana.editor
  title    = "Made with an editor's token"
}
