FOO = "x"
