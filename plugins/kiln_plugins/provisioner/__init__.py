"""Bundled provisioners."""
