target "app" {}
target "api" {}
