# The permission list of every folder (`terraform query`, Terraform ≥ 1.14).
list "grafana_folder_permission" "all" {
  provider = grafana
}
