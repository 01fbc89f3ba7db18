variable "L" { default = ["a"] }
target "app" { tags = [L[3]] }
