variable "X" { default = null }
target "app" { tags = ["app:${X}"] }
