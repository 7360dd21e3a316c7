# kiln demo: two builds from one template, run in parallel, each in its own plugin processes.
# Run it with `make demo` (or `kiln build examples/demo/`); `packer build examples/demo/` runs it too.

variable "greeting" {
  type        = string
  default     = "hello from kiln"
  description = "What the provisioners print."
}

locals {
  manifest = "demo-manifest.json"
}

source "null" "alpha" {
  communicator = "none"
}

source "null" "beta" {
  communicator = "none"
}

build {
  name    = "demo"
  sources = ["source.null.alpha", "source.null.beta"]

  provisioner "shell-local" {
    inline = [
      "echo \"${var.greeting}: ${source.name} build, step 1\"",
      "uname -sm",
    ]
  }

  provisioner "shell-local" {
    environment_vars = ["BUILD_NAME=${source.name}"]
    inline           = ["echo \"step 2 of $BUILD_NAME: done\""]
  }

  post-processor "manifest" {
    output     = local.manifest
    strip_path = true
    custom_data = {
      example = "demo"
    }
  }
}
