variable "FOO" {
  default = "good"
  validation {
    condition = FOO != "bad"
    error_message = "FOO must not be bad"
  }
}
target "default" { tags = [FOO] }
