target "app" {
  tags = ["img/${target.app.name}:1", target.other.name]
}
target "other" {
  args = { N = target.other.name }
}
target "m" {
  name = "m_${v}"
  matrix = { v = ["a", "b"] }
  tags = ["x/${target.m_a.name}", "self-${v}"]
  args = { OTHER = target.app.name }
}
group "default" { targets = ["app", "other", "m"] }
