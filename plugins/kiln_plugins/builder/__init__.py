"""Bundled builders."""
