target "app" {
  args = { N = 1 + "x" }
}
