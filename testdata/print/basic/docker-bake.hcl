variable "TAG" { default = "1.0" }
group "default" { targets = ["app"] }
target "app" {
  context    = "./app"
  dockerfile = "app.Dockerfile"
  tags       = ["acme/app:${TAG}", "acme/app:latest"]
  args       = { VERSION = TAG, DEBUG = false, WORKERS = 4 }
  cache-from = ["type=registry,ref=acme/app:cache"]
  output     = [{ type = "registry" }]
}
