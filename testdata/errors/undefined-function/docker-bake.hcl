target "app" {
  tags = [uper("app")]
}
