target "default" {
  tagz = ["x"]
}
