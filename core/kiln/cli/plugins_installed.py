"""``kiln plugins installed``: every installed plugin executable, one path a line (Packer's output)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

USAGE = """
Usage: kiln plugins installed

  This command lists all installed plugin executables: one line per installed
  plugin version, oldest first, for every folder of the plugin path.
"""


def run(argv: Sequence[str]) -> int:
    from kiln import log
    from kiln.plugins.installed import list_installs
    from kiln.plugins.paths import plugin_dirs

    listing = list_installs(plugin_dirs(os.environ))
    for problem in listing.problems:  # Packer skips what it cannot use; the log says why
        log.get("plugins").warning("not an install: %s", problem)
    for inst in listing.installs:
        sys.stdout.write(f"{inst.executable}\n")
    return 0
