source "null" "a" {
  communicator = "none"
  dynamic "x" {
    for_each = 1
  }
}
build {
  sources = ["source.null.a"]
}
