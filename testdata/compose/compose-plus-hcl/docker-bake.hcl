target "api" {
  tags       = ["acme/api:dev"]
  project_id = "abc123"
}
