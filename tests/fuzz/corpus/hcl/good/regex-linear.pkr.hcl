locals {
  x = regex("(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaa")[0]
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
