"""kiln's command line: Packer's verbs and Packer's single-dash flags."""
