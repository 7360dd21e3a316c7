locals {
  x = pow(10, 999999999)
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
