variable "FOO" {
  default = "d"
}
FOO = "${FOO}-x"
target "default" { tags = [FOO] }
