# An example bake file: `bake -f examples/docker-bake.hcl --print`
variable "REGISTRY" {
  default = "ghcr.io/acme"
}

variable "TAG" {
  default = "dev"
}

function "image" {
  params = [name]
  result = "${REGISTRY}/${name}:${TAG}"
}

group "default" {
  targets = ["api", "web"]
}

target "_common" {
  args = {
    GO_VERSION = "1.22"
  }
  platforms = ["linux/amd64", "linux/arm64"]
  labels = {
    "org.opencontainers.image.source" = "https://github.com/acme/app"
  }
}

target "api" {
  inherits   = ["_common"]
  context    = "./services/api"
  tags       = [image("api")]
  project_id = "abc123"
}

target "web" {
  inherits   = ["_common"]
  context    = "./services/web"
  contexts   = { api = "target:api" }
  tags       = [image("web"), "${REGISTRY}/web:latest"]
  project_id = "def456"
}
