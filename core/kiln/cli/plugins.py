"""``kiln plugins <subcommand>``: installing plugins, the ones a template requires, the installed ones,
removing them, mirroring them.

Packer's ``plugins`` verbs (>= 1.8), with kiln's install layout (docs/registry.md): ``install SOURCE
[CONSTRAINT]`` fetches, verifies and installs one plugin, ``mirror DIR PATH`` copies what a template
requires into a mirror folder (as ``terraform providers mirror``), ``installed`` lists
every installed plugin executable, ``required PATH`` what a template requires and which installs match,
``remove SOURCE [CONSTRAINT] | PATH`` removes installs, each version atomically.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

SUBCOMMANDS: dict[str, tuple[str, str]] = {  # name -> (module, synopsis)
    "install": ("kiln.cli.plugins_install", "Install latest kiln plugin [matching version constraint]"),
    "installed": ("kiln.cli.plugins_installed", "List all installed kiln plugin executables"),
    "mirror": ("kiln.cli.plugins_mirror", "Download the plugins a config requires into a mirror folder"),
    "remove": ("kiln.cli.plugins_remove", "Remove kiln plugins [matching a version]"),
    "required": ("kiln.cli.plugins_required", "List plugins required by a config"),
}

_HEAD = """
Usage: kiln plugins <subcommand> [options] [args]
  This command groups subcommands for interacting with kiln plugins.

Related but not under the "plugins" command :

- "kiln init <path>" will install all plugins required by a config.
"""


def _usage() -> str:
    width = max(len(n) for n in SUBCOMMANDS) + 4
    lines = [f"    {name:<{width}} {synopsis}" for name, (_, synopsis) in sorted(SUBCOMMANDS.items())]
    return _HEAD.strip("\n") + "\n\nSubcommands:\n" + "\n".join(lines) + "\n"


USAGE = _usage()


def help_for(args: Sequence[str]) -> str:
    """The help ``kiln plugins [SUBCOMMAND] -h`` prints."""
    sub = SUBCOMMANDS.get(args[0]) if args else None
    if sub is None:
        return USAGE
    return str(importlib.import_module(sub[0]).USAGE)


def run(argv: Sequence[str], machine_readable: bool = False) -> int:
    from kiln.cli.common import print_usage

    sub = SUBCOMMANDS.get(argv[0]) if argv else None
    if sub is None:  # Packer: the group's help, exit 1
        return print_usage(USAGE, None)
    return int(importlib.import_module(sub[0]).run(list(argv[1:])))
