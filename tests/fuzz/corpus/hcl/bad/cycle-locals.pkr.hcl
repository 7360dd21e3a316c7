locals {
  a = local.b
  b = local.a
}
locals {
  x = local.a
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
