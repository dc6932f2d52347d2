# A catalog unit: a team's folder and dashboard in the workspace another unit makes. Where that
# unit is comes from the stack's values; its workspace_id output becomes this unit's input.
include "root" {
  path = find_in_parent_folders("root.hcl")
}

dependency "workspace" {
  config_path = values.workspace_path

  mock_outputs = {
    workspace_id = "g-0000000000"
  }
  mock_outputs_allowed_terraform_commands = ["init", "validate", "plan"]
}

inputs = {
  workspace_id = dependency.workspace.outputs.workspace_id
  team         = values.team
}
