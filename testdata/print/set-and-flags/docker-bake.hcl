target "app" {
  tags   = ["app:1"]
  output = ["type=image"]
}
target "default" { inherits = ["app"] }
