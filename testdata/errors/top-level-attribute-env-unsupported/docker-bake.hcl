variable "PLATFORMS" { default = "linux/amd64" }
PLATFORMS = ["linux/amd64", "linux/arm64"]
target "default" { platforms = PLATFORMS }
