locals {
  x = substr("abc", 0, 99999999999999999999)
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
