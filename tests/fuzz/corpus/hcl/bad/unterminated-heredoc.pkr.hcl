variable "x" {
  default = <<EOT
abc
