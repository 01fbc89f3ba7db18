FOO = "${BAR}-x"
