group "g" { targets = ["app"] }
target "app" {
  tags = [group.g.name]
}
