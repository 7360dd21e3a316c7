packer {
  required_plugins {
    x = { version = ">= nope", source = "??" }
  }
}
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
}
