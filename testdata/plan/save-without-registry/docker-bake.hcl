target "default" {
  project_id = "noreg"
}
