variable "REPLICAS" {
  type    = number
  default = 0
  validation {
    condition     = REPLICAS > 0
    error_message = "REPLICAS must be positive, got ${REPLICAS}."
  }
}
target "app" {}
