variable "FOO" { default = "d" }
FOO = "a"
FOO = "b"
target "default" { tags = [FOO] }
