target "app" {
  tags = [
}
