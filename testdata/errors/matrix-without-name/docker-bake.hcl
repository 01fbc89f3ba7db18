target "app" {
  matrix = { v = ["a", "b"] }
}
