target "foo" {
  dockerfile = "x"
}
x = target.foo.dockerfile
y = x
target "bar" {
  dockerfile = y
}
group "default" { targets = ["foo", "bar"] }
