variable "PROJECT" { default = "abc123" }
target "_shared" { project_id = PROJECT }
target "api" {
  inherits = ["_shared"]
}
target "web" {
  project_id = "def456"
  contexts   = { api = "target:api" }
}
group "default" { targets = ["api", "web"] }
