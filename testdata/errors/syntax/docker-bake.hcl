target "app" {
  tags = ["a", "b"
}
