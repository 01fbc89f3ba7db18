variable "REPLICAS" {
  type    = number
  default = 1
}
target "app" { args = { R = REPLICAS } }
