FOO = "3"
