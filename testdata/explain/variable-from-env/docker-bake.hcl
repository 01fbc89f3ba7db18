variable "REGISTRY" {
  default = "docker.io/acme"
}

variable "TAG" {
  default = "dev"
}

variable "IMAGE" {
  default = "${REGISTRY}/app"
}

target "app" {
  tags = ["${IMAGE}:${TAG}"]
}
