variable "FOO" { default = "d" }
target "default" { tags = [jsonencode(FOO)] }
