locals {
  x = regex("a{1000}{1000}", "a")
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
