"""``kiln``: dispatch to a verb. Each verb's module is imported only when that verb runs."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

USAGE = """Usage: kiln [--version] [--help] <command> [<args>]

Available commands are:
    build           build image(s) from template
    cleanup         remove cloud resources that killed builds left behind
    console         creates a console for testing variable interpolation
    validate        check that a template is valid
    version         Prints the kiln version
"""

VERBS = {"build": "kiln.cli.build", "cleanup": "kiln.cli.cleanup", "console": "kiln.cli.console", "validate": "kiln.cli.validate",
         "version": "kiln.cli.version"}
_GLOBAL_FLAGS = {"-machine-readable", "--machine-readable"}


def run(argv: Sequence[str]) -> int:
    args = list(argv)
    machine_readable = False
    while args and args[0] in _GLOBAL_FLAGS:
        machine_readable = True
        args.pop(0)
    if not args or args[0] in ("-h", "-help", "--help"):
        sys.stdout.write(USAGE)
        return 127 if not args else 0
    if args[0] in ("-v", "-version", "--version"):
        args[0] = "version"
    verb, rest = args[0], args[1:]
    module = VERBS.get(verb)
    if module is None:
        sys.stdout.write(USAGE)
        return 127
    from kiln import log

    log.setup()
    return int(importlib.import_module(module).run(rest, machine_readable=machine_readable))


def main() -> None:
    try:
        code = run(sys.argv[1:])
    except KeyboardInterrupt:
        code = 130
    sys.stdout.flush()
    sys.exit(code)
