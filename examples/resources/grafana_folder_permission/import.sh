# Import by the folder's uid (or "1:<uid>").
terraform import grafana_folder_permission.ops ops
