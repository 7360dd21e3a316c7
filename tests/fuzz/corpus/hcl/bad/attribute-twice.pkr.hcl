locals {
  a = 1
  a = 2
}
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
}
