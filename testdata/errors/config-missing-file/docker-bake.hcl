target "default" {
  project_id = "abc"
}
