function "f" {
  params = [n]
  result = n > 0 ? f(n - 1) : 0
}
target "app" { args = { X = f(3) } }
