"""kiln_sdk: everything a kiln plugin author imports."""
