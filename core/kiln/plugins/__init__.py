"""Finding plugin executables and running their processes."""
