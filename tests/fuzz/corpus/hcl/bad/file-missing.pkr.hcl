locals {
  x = file("/nonexistent/x")
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
