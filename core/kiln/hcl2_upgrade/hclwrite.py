"""HCL text as Go's hclwrite writes it: values (cty's rules), bodies, and ``hclwrite.Format``'s layout.

``Body`` collects attributes, nested blocks and blank lines in the order Packer appends them;
``Body.text()`` is what ``hclwrite.File.Bytes()`` returns (already formatted). ``format_text`` is
``hclwrite.Format`` (kiln's ``fmt``), which Packer runs again over the text it assembles from such
pieces: it re-indents every line by its bracket nesting, spaces tokens and aligns the ``=`` of
consecutive attribute lines; it never adds or removes lines.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


def valid_identifier(s: str) -> bool:
    """hclsyntax.ValidIdentifier: Unicode's ID_Start or ``_`` first, then ID_Continue or ``-``."""
    if not s:
        return False
    first, rest = s[0], s[1:]
    if not (first.isalpha() or first == "_") if first.isascii() else not first.isidentifier():
        return False
    return all((c.isalnum() or c in "_-") if c.isascii() else ("a" + c).isidentifier() for c in rest)


def escape(s: str) -> str:
    """hclwrite's escapeQuotedStringLit (the value first normalised to NFC, as cty.StringVal does)."""
    out: list[str] = []
    s = unicodedata.normalize("NFC", s)
    for i, ch in enumerate(s):
        if ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "$%":
            out.append(ch + ch if s[i + 1:i + 2] == "{" else ch)
        elif not (ch.isprintable() or ch == " "):
            out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return "".join(out)


def quote(s: str) -> str:
    return '"' + escape(s) + '"'


def number(f: float) -> str:
    """big.Float.Text('f', -1) of a float64: the shortest digits that read back, without exponent."""
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError(f"cannot write the number {f} in HCL")
    text = format(Decimal(repr(float(f))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def value(v: Any) -> str:
    """hclwrite.TokensForValue(hcl2shim.HCL2ValueFromConfigValue(v)), formatted (objects span lines)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return number(float(v))
    if isinstance(v, str):
        return quote(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        items = {unicodedata.normalize("NFC", k): x for k, x in v.items()}
        lines = ["{"]
        for k in sorted(items):
            name = k if valid_identifier(k) else quote(k)
            lines.append(f"{name} = {value(items[k])}")
        lines.append("}")
        return "\n".join(lines)
    raise TypeError(f"can't convert {v!r} to an HCL value")


@dataclass
class Block:
    type: str
    labels: list[str]
    body: Body


@dataclass
class Body:
    """An hclwrite body: attributes (raw expression text), nested blocks and blank lines, in order."""

    items: list[tuple[str, Any]] = field(default_factory=list)

    def set_raw(self, name: str, expr: str) -> None:
        for i, (kind, item) in enumerate(self.items):
            if kind == "attr" and item[0] == name:
                self.items[i] = ("attr", (name, expr))
                return
        self.items.append(("attr", (name, expr)))

    def set(self, name: str, v: Any) -> None:
        self.set_raw(name, value(v))

    def block(self, type_: str, labels: list[str] | None = None) -> Body:
        body = Body()
        self.items.append(("block", Block(type_, list(labels or []), body)))
        return body

    def newline(self) -> None:
        self.items.append(("nl", None))

    def _lines(self, out: list[str]) -> None:
        for kind, item in self.items:
            if kind == "attr":
                out.append(f"{item[0]} = {item[1]}")
            elif kind == "block":
                head = " ".join([item.type, *(quote(label) for label in item.labels)])
                out.append(head + " {")
                item.body._lines(out)
                out.append("}")
            else:
                out.append("")

    def text(self) -> str:
        """hclwrite.File.Bytes() of a file whose body is this one."""
        lines: list[str] = []
        self._lines(lines)
        return format_text("".join(line + "\n" for line in lines))


def format_text(text: str) -> str:
    """hclwrite.Format (kiln's fmt): indentation by bracket nesting, spacing, aligned ``=``."""
    from kiln.fmt import format_source

    return format_source(text)
