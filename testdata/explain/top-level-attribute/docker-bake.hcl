variable "IMAGE" { default = "app" }
variable "REGISTRY" { default = "docker.io" }
target "app" { tags = [IMAGE] }
