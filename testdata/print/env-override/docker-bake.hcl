variable "TAG" { default = "dev" }
variable "PLATFORMS" {
  type    = list(string)
  default = ["linux/amd64"]
}
target "default" {
  tags      = ["app:${TAG}"]
  platforms = PLATFORMS
}
