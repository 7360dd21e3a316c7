locals {
  x = join(",", formatlist("%0200000s", ["a"]))
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
