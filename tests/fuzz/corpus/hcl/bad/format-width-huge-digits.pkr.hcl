locals {
  x = format("%99999999999999999999999999999999999999999999999999d", 1)
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
