variable "REGISTRY" {
  default = "ghcr.io/acme"
}

variable "TAG" {
  default = "v1"
}

function "img" {
  params = [name]
  result = "${REGISTRY}/${name}:${TAG}"
}

target "_common" {
  args = { GO_VERSION = "1.22", BASE = "alpine" }
}

target "api" {
  inherits = ["_common"]
  args     = { SERVICE = "api" }
  tags     = [img("api")]
}
