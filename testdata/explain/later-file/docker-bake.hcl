target "app" {
  tags = ["acme/app:dev"]
  args = { MODE = "debug" }
}
