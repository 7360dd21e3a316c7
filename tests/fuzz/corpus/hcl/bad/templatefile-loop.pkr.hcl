locals {
  x = templatefile("/dev/null", {a = 1})[0]
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
