locals {
  x = cidrsubnet("10.0.0.0/8", 9999, 1)
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
