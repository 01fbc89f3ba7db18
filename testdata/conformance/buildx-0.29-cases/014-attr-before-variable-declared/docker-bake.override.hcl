variable "FOO" {
  default = "d"
}
