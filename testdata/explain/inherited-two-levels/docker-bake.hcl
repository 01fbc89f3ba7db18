target "base" {
  platforms = ["linux/amd64", "linux/arm64"]
  args = { GO = "1.22" }
}

target "mid" {
  inherits = ["base"]
  labels = { team = "core" }
}

target "app" {
  inherits = ["mid"]
  tags = ["acme/app:dev"]
}
