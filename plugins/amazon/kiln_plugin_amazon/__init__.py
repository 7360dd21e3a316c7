"""kiln's amazon plugin (github.com/hashicorp/amazon 1.x), written with the kiln SDK alone."""
