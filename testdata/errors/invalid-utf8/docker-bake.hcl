target "aÿ" {}
