variable "REGISTRY" { default = "ghcr.io" }
target "app" {
  tags = ["${REGISTY}/app"]
}
