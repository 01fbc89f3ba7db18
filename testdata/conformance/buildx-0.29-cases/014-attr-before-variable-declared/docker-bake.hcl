FOO = "attr-first"
target "default" { tags = [FOO] }
