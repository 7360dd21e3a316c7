locals {
  x = length([{a=[1]}][*].a[*][*][*][*].b)
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
