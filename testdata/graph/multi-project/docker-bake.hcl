group "default" {
  targets = ["app", "app-copy", "tools"]
}

target "base" {
  project_id = "base-proj"
  dockerfile = "base.Dockerfile"
  platforms  = ["linux/amd64", "linux/arm64"]
}

target "app" {
  project_id = "app-proj"
  contexts   = { base = "target:base" }
  tags       = ["registry.example.com/app:dev"]
  args       = { VERSION = "1.2.3" }
  secret     = ["id=token,env=TOKEN"]
}

# Identical to app: one build serves both names.
target "app-copy" {
  inherits = ["app"]
}

target "tools" {
  context    = "tools"
  dockerfile-inline = "FROM base\nRUN --network=none true\n"
  contexts   = { base = "target:base" }
  output     = ["type=local,dest=out/tools"]
}
