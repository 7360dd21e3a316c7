"""Bundled post-processors."""
