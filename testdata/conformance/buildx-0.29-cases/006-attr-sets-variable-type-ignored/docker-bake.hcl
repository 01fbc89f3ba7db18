variable "FOO" {
  type = number
  default = 1
}
target "default" { tags = [jsonencode(FOO)] }
