locals {
  x = length(setproduct(range(1000), range(1000), range(1000), range(1000)))
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
