variable "FOO" {
  default = "d"
}
variable "BAR" {
  default = "${FOO}-bar"
}
FOO = "attr"
target "default" { tags = [BAR] }
