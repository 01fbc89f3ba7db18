FOO = 5
