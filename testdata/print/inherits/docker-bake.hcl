target "_base" {
  args      = { BASE = "alpine", LEVEL = "base" }
  platforms = ["linux/amd64"]
}
target "_mid" {
  inherits = ["_base"]
  args     = { LEVEL = "mid" }
  tags     = ["mid"]
}
target "default" {
  inherits = ["_mid"]
  tags     = ["leaf"]
}
