"""kiln-plugin-docker: Packer's docker plugin (github.com/hashicorp/docker) for kiln, written with kiln_sdk only."""
