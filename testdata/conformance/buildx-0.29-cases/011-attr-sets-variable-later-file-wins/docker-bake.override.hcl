FOO = "from-override"
