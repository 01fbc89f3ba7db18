target "api" {
  project_id = "abc123"
}
target "web" {
  project_id = "def456"
}
group "default" {
  targets = ["api", "web"]
}
