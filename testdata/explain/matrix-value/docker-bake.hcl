target "app" {
  name = "app-${tgt}"
  matrix = {
    tgt = ["api", "web"]
  }
  target = tgt
  tags   = ["acme/${tgt}:latest"]
}
