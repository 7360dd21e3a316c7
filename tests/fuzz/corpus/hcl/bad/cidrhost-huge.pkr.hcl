locals {
  x = cidrhost("::/0", 340282366920938463463374607431768211456)
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
