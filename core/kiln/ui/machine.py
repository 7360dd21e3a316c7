"""Packer's machine-readable line: ``timestamp,target,type,data...``.

Each data field has commas written as ``%!(PACKER_COMMA)``, and carriage returns and newlines as the
two characters ``\\r`` and ``\\n``; the target and the type are written as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

PACKER_COMMA = "%!(PACKER_COMMA)"


def escape_field(value: str) -> str:
    """One data field, escaped the way Packer's ``MachineReadableUi`` escapes it."""
    return value.replace(",", PACKER_COMMA).replace("\r", "\\r").replace("\n", "\\n")


def split_target(category: str) -> tuple[str, str]:
    """Packer passes ``"target,type"`` as one string; split it at the first comma."""
    target, comma, rest = category.partition(",")
    return (target, rest) if comma else ("", category)


def format_line(unix_time: int, target: str, type_: str, args: Sequence[str]) -> str:
    """The full line, without its newline."""
    return f"{unix_time},{target},{type_},{','.join(escape_field(a) for a in args)}"
