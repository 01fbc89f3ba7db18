target "app" {
  tags      = ["acme/app:dev"]
  platforms = ["linux/amd64"]
}
