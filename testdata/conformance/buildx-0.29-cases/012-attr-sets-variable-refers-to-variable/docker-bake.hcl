variable "FOO" { default = "d" }
variable "BAR" { default = "bar" }
target "default" { tags = [FOO] }
