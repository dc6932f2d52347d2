# A catalog unit: an AMG workspace. Its values come from the stack's `unit` block.
include "root" {
  path = find_in_parent_folders("root.hcl")
}

inputs = {
  workspace_name  = values.name
  grafana_version = values.grafana_version
}
