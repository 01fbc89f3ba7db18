variable "FOO" { default = null }
target "default" { tags = ["img:${FOO}"] }
