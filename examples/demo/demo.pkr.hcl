# kiln demo: a real container image, built with the docker builder from a local base image.
# `make demo` sets everything up (podman behind a `docker` command, the busybox base image), builds this
# in build/demo/, then runs the new image. `packer build examples/demo/` runs it too, with the same setup.

variable "base_image" {
  type        = string
  default     = "localhost/kiln-base:busybox"
  description = "The image to start from (made offline by `make demo`)."
}

variable "greeting" {
  type        = string
  default     = "hello from kiln"
  description = "What the shell provisioner writes into the image."
}

locals {
  manifest = "demo-manifest.json"
}

source "docker" "demo" {
  image  = var.base_image
  pull   = false # the base image is local: there is no registry to pull from
  commit = true
  changes = [
    "LABEL org.example.built-by=kiln",
    "ENV GREETING=\"${var.greeting}\"",
    "ENTRYPOINT [\"/bin/sh\", \"-c\"]",
    "CMD [\"cat /etc/kiln-demo/greeting /etc/kiln-demo/motd\"]",
  ]
  message = "kiln demo"
}

build {
  name    = "demo"
  sources = ["source.docker.demo"]

  provisioner "shell" {
    inline = [
      "mkdir -p /etc/kiln-demo",
      "echo \"${var.greeting}: written by the shell provisioner ($PACKER_BUILDER_TYPE build $PACKER_BUILD_NAME)\" > /etc/kiln-demo/greeting",
      "uname -sm",
    ]
  }

  provisioner "file" {
    source      = "${path.root}/files/motd"
    destination = "/etc/kiln-demo/motd"
  }

  post-processors {
    post-processor "docker-tag" {
      repository = "localhost/kiln-demo"
      tags       = ["latest"]
    }
    post-processor "manifest" {
      output     = local.manifest
      strip_path = true
      custom_data = {
        example = "demo"
      }
    }
  }
}
