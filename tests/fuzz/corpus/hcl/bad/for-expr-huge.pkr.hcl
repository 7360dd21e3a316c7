locals {
  x = length([for i in range(1024): [for j in range(1024): [for k in range(1024): k]]])
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
