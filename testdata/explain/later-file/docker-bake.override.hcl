target "app" {
  tags = ["acme/app:release"]
}
