target "m" {
  name = "m_${v}"
  matrix = { v = ["a", "b"] }
}
target "app" {
  tags = [target.m.name]
}
