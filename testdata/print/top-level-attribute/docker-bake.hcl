variable "REGISTRY" { default = null }
variable "TAG" {
  type    = number
  default = 1
}
variable "VERSION" { default = "dev" }
target "default" {
  tags = ["${REGISTRY}/app:${VERSION}", "tag-${jsonencode(TAG)}"]
}
