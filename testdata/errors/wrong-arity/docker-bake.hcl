function "tag" {
  params = [name, version]
  result = "${name}:${version}"
}
target "app" {
  tags = [tag("app")]
}
