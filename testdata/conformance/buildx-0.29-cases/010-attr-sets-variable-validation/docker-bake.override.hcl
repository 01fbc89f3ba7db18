FOO = "bad"
