locals {
  x = timeadd("2020-01-01T00:00:00Z", "99999999999999999h")
}
source "file" "a" {
  target  = "out.txt"
  content = "${local.x}"
}
build {
  sources = ["source.file.a"]
}
