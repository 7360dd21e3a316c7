"""HCL text as Go's hclwrite writes it: values (cty's rules), bodies, and ``hclwrite.Format``'s layout.

``Body`` collects attributes, nested blocks and blank lines in the order Packer appends them;
``Body.text()`` is what ``hclwrite.File.Bytes()`` returns (already formatted). ``format_text`` is
``hclwrite.Format`` for the text Packer assembles from such pieces: it re-indents every line by its
bracket nesting and aligns the ``=`` of consecutive attribute lines; it never adds or removes lines.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

_IDENT = re.compile(r"[^\W\d][\w-]*\Z")


def valid_identifier(s: str) -> bool:
    """hclsyntax.ValidIdentifier: a letter or ``_`` first, then letters, digits, ``_`` and ``-``."""
    return bool(_IDENT.match(s)) and "\n" not in s


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


# --- hclwrite.Format ---------------------------------------------------------------------------------

_OPEN, _CLOSE = "{[(", "}])"


@dataclass
class _Line:
    lead: str  # the line's text before its "assign" cell (stripped)
    assign: str | None  # from the "=" on, or None
    net: int  # net bracket change
    empty: bool
    newline: bool


def _scan(line: str) -> tuple[int, int | None]:
    """(net bracket change, index of the first "=" token) of one line of HCL, strings and comments
    understood. ``${``/``%{`` open a bracket, as in hclwrite; the ``}`` closing them closes one."""
    net = 0
    eq: int | None = None
    stack: list[str] = []  # "q" inside a quoted string, "i" inside an interpolation (expression mode)
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        in_string = bool(stack) and stack[-1] == "q"
        if in_string:
            if c == "\\":
                i += 2
                continue
            if c in "$%" and line.startswith("{", i + 1):
                net += 1
                stack.append("i")
                i += 2
                continue
            if c in "$%" and line.startswith(c + "{", i + 1):
                i += 3
                continue
            if c == '"':
                stack.pop()
            i += 1
            continue
        if c == '"':
            stack.append("q")
        elif c == "#" or line.startswith("//", i):
            break
        elif c in _OPEN:
            net += 1
            if c == "{":
                stack.append("b")
        elif c in _CLOSE:
            net -= 1
            if c == "}" and stack:
                stack.pop()
        elif c == "=" and eq is None and i > 0:
            nxt, prev = line[i + 1:i + 2], line[i - 1]
            if nxt not in "=>" and prev not in "=!<>":
                eq = i
        i += 1
    return net, eq


def _columns(text: str) -> int:
    """Grapheme clusters, approximately: combining marks and joiners take no column."""
    return sum(1 for ch in text if not unicodedata.combining(ch) and ch not in "\u200d\ufe0f")


def format_text(text: str) -> str:
    """hclwrite.Format: indentation by bracket nesting, aligned ``=`` in runs of attribute lines."""
    raw_lines = text.split("\n")
    lines: list[_Line] = []
    for k, raw in enumerate(raw_lines):
        body = raw.strip(" \t")
        has_nl = k < len(raw_lines) - 1
        if not body:
            lines.append(_Line("", None, 0, True, has_nl))
            continue
        net, eq = _scan(body)
        lead, assign = body, None
        if eq is not None and not body.lstrip().startswith(("#", "//")):
            rest_net, _ = _scan("x" + body[eq:])
            if rest_net == 0:
                lead, assign = body[:eq].rstrip(" \t"), body[eq + 1:].lstrip(" \t")
        lines.append(_Line(lead, assign, net, False, has_nl))
    indents: list[int] = []
    widths: list[int] = []
    for line in lines:
        if line.empty:
            widths.append(0)
            continue
        if line.net < 0:
            closed = -line.net
            while closed > 0 and indents:
                if closed > indents[-1]:
                    closed -= indents.pop()
                elif closed < indents[-1]:
                    indents[-1] -= closed
                    closed = 0
                else:
                    indents.pop()
                    closed = 0
        widths.append(2 * len(indents))
        if line.net > 0:
            indents.append(line.net)
    out: list[str] = []
    k = 0
    while k < len(lines):
        if lines[k].assign is None:
            line = lines[k]
            out.append("" if line.empty else " " * widths[k] + line.lead)
            k += 1
            continue
        end = k
        while end < len(lines) and lines[end].assign is not None:
            end += 1
        col = max(widths[j] + _columns(lines[j].lead) for j in range(k, end))
        for j in range(k, end):
            line = lines[j]
            pad = col - widths[j] - _columns(line.lead) + 1
            assign = line.assign or ""
            out.append(" " * widths[j] + line.lead + " " * pad + "=" + (" " + assign if assign else ""))
        k = end
    return "\n".join(out)
