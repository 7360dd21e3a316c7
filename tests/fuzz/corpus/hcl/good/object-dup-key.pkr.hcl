locals {
  x = jsonencode({a = 1, a = 2})
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
