variable "x" {
  type    = number
  default = "abc"
}
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
}
