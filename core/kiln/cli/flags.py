"""Go ``flag``-package parsing, as Packer's commands use it.

``-name`` and ``--name`` are the same; ``-name=value`` or ``-name value`` for valued flags; a bool flag
takes ``-name`` or ``-name=true|false`` only; parsing stops at the first argument that is not a flag
(or after ``--``). Repeatable flags (``-var``, ``-var-file``) collect in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["bool", "string", "int", "list", "csv"]

_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


class FlagError(Exception):
    """A command-line mistake; the message is Go's wording."""


@dataclass(frozen=True)
class Flag:
    name: str
    kind: Kind
    default: Any = None


@dataclass
class Parsed:
    values: dict[str, Any] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    # (name, value) in command-line order, for flags whose order matters (-var, -var-file)
    ordered: list[tuple[str, str]] = field(default_factory=list)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


def parse(argv: Sequence[str], flags: Sequence[Flag]) -> Parsed:
    known = {f.name: f for f in flags}
    out = Parsed({f.name: ([] if f.kind in ("list", "csv") else f.default) for f in flags})
    i = 0
    args = list(argv)
    while i < len(args):
        arg = args[i]
        if arg == "--":
            i += 1
            break
        if len(arg) < 2 or not arg.startswith("-"):
            break
        name = arg[2:] if arg.startswith("--") else arg[1:]
        if not name or name.startswith("-") or name.startswith("="):
            raise FlagError(f"bad flag syntax: {arg}")
        value: str | None = None
        if "=" in name:
            name, value = name.split("=", 1)
        flag = known.get(name)
        if flag is None:
            raise FlagError(f"flag provided but not defined: -{name}")
        if flag.kind == "bool":
            if value is None:
                out.values[name] = True
            elif value in _TRUE:
                out.values[name] = True
            elif value in _FALSE:
                out.values[name] = False
            else:
                raise FlagError(f'invalid boolean value "{value}" for -{name}: parse error')
            i += 1
            continue
        if value is None:
            if i + 1 >= len(args):
                raise FlagError(f"flag needs an argument: -{name}")
            value = args[i + 1]
            i += 2
        else:
            i += 1
        out.ordered.append((name, value))
        if flag.kind == "int":
            try:
                out.values[name] = int(value, 0)
            except ValueError:
                raise FlagError(f'invalid value "{value}" for flag -{name}: parse error') from None
        elif flag.kind == "list":
            out.values[name].append(value)
        elif flag.kind == "csv":
            out.values[name].extend(v for v in value.split(",") if v)
        else:
            out.values[name] = value
    out.args = args[i:]
    return out


def parse_var(text: str) -> tuple[str, str]:
    """``-var 'key=value'``."""
    if "=" not in text:
        raise FlagError(f'invalid value "{text}" for flag -var: Variable value should be in the form key=value')
    key, value = text.split("=", 1)
    return key, value
