include "root" {
  path = find_in_parent_folders("root.hcl")
}

# Applied after the workspace unit; `terragrunt run --all plan` before the workspace exists
# uses the mock id (the grafana provider makes no AMG call to plan new objects).
dependency "workspace" {
  config_path = "../workspace"

  mock_outputs = {
    workspace_id = "g-0000000000"
  }
  mock_outputs_allowed_terraform_commands = ["init", "validate", "plan"]
}

inputs = {
  workspace_id = dependency.workspace.outputs.workspace_id
}
