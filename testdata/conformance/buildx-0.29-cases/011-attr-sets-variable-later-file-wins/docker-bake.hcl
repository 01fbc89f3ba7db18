variable "FOO" { default = "d" }
FOO = "from-main"
target "default" { tags = [FOO] }
