target "app" {
  tags = "not-a-list"
}
