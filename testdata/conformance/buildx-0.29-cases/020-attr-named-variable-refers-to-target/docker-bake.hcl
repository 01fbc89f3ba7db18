variable "x" {}
target "foo" {
  dockerfile = "x"
}
x = target.foo.dockerfile
target "bar" {
  dockerfile = x
}
group "default" { targets = ["foo", "bar"] }
