"""The ``kiln-sdk`` command: tools for plugin authors (one module per subcommand)."""
