"""``kiln-sdk SUBCOMMAND [ARGS]``: dispatch to a subcommand; each module is imported only when it runs.

A subcommand module has ``SUMMARY`` (one line for the usage text) and ``run(argv: list[str]) -> int``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

# name -> module; a subcommand is listed here only once its module exists.
SUBCOMMANDS: dict[str, str] = {
    "docs": "kiln_sdk._cli.docs",
    "new": "kiln_sdk._cli.new",
    "publish": "kiln_sdk._cli.publish",
}


def usage() -> str:
    lines = ["Usage: kiln-sdk <command> [<args>]", "", "Available commands are:"]
    for name, module in sorted(SUBCOMMANDS.items()):
        summary = getattr(importlib.import_module(module), "SUMMARY", "")
        lines.append(f"    {name:<12} {summary}".rstrip())
    return "\n".join(lines) + "\n"


def run(argv: Sequence[str]) -> int:
    args = list(argv)
    if not args or args[0] in ("-h", "-help", "--help"):
        sys.stdout.write(usage())
        return 0 if args else 1
    module = SUBCOMMANDS.get(args[0])
    if module is None:
        sys.stderr.write(f"kiln-sdk: unknown command {args[0]!r}\n\n" + usage())
        return 1
    return int(importlib.import_module(module).run(args[1:]))


def main() -> None:
    try:
        code = run(sys.argv[1:])
    except KeyboardInterrupt:
        code = 130
    sys.stdout.flush()
    sys.exit(code)


if __name__ == "__main__":
    main()
