# `TYPE.NAME.name` is the block's name; for a matrix cell, the expanded one.
group "default" { targets = ["app", "worker"] }
target "app" {
  tags = ["img/${target.app.name}:1", "${group.default.name}"]
  args = { PEER = target.worker_a.name }
}
target "worker" {
  name   = "worker_${kind}"
  matrix = { kind = ["a", "b"] }
  tags   = ["img/worker-${kind}", "first-${target.worker_a.name}"]
}
