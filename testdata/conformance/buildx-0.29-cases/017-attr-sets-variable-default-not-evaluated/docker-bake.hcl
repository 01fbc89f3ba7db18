variable "FOO" {
  default = undefined_x
}
FOO = "ok"
target "default" { tags = [FOO] }
