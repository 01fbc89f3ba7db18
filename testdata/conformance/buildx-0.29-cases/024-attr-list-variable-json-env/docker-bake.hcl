variable "FOO" {
  type = list(string)
  default = ["d"]
}
FOO = ["a"]
target "default" { tags = FOO }
