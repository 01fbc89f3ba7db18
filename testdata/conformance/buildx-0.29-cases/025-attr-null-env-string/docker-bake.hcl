variable "FOO" {
  default = "d"
}
FOO = null
target "default" { tags = [FOO] }
