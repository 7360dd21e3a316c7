locals {
  x = "ÿşÃ"
}
