target "app" {
  dockerfile = "Dockerfile"
}
