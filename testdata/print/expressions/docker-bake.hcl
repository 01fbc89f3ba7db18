variable "ITEMS" { default = ["a", "b", "c"] }
variable "N" { default = 3 }
target "default" {
  args = {
    SUM      = 0.1 + 0.2
    THIRD    = 1 / 3
    JOINED   = join("-", [for i in ITEMS : upper(i) if i != "b"])
    COND     = N > 2 ? "big" : "small"
    TEMPLATE = "%{ for i, x in ITEMS }${i}=${x};%{ endfor }"
    OBJ      = jsonencode({ for i in ITEMS : i => upper(i) })
    ESCAPED  = "$${NOT_INTERPOLATED}"
  }
}
