FOO = ["a", "b"]
