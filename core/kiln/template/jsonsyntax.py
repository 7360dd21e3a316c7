"""A JSON reader that keeps the source position of every value (HCL's JSON syntax needs them).

Positions are ``kiln.hcl.syntax.Pos``: 1-based line and column, 0-based offset (in characters).
Duplicate object keys are kept in order: HCL's JSON syntax gives them meaning (repeated blocks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kiln.hcl.syntax import Pos


@dataclass
class JNode:
    start: Pos
    end: Pos


@dataclass
class JString(JNode):
    value: str
    raw: str = ""  # the text between the quotes, as written
    escaped: bool = False  # whether ``raw`` differs from ``value`` (then inner positions are not exact)


@dataclass
class JNumber(JNode):
    value: Decimal


@dataclass
class JBool(JNode):
    value: bool


@dataclass
class JNull(JNode):
    pass


@dataclass
class JArray(JNode):
    items: list[JNode] = field(default_factory=list)


@dataclass
class JProp:
    key: JString
    value: JNode


@dataclass
class JObject(JNode):
    props: list[JProp] = field(default_factory=list)


class JSONSyntaxError(ValueError):
    def __init__(self, message: str, pos: Pos) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.col = 1
        self.byte = 0

    def pos(self) -> Pos:
        return Pos(self.line, self.col, self.byte)

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            ch = self.text[self.i]
            self.i += 1
            self.byte += 1
            if ch == "\n":
                self.line += 1
                self.col = 1
            else:
                self.col += 1

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def skip_ws(self) -> None:
        while self.peek() in (" ", "\t", "\n", "\r") and self.peek():
            self.advance()

    def fail(self, message: str) -> JSONSyntaxError:
        return JSONSyntaxError(message, self.pos())

    def expect(self, ch: str, what: str) -> None:
        if self.peek() != ch:
            found = repr(self.peek()) if self.peek() else "end of file"
            raise self.fail(f"Expected {what}, but found {found}.")
        self.advance()

    def value(self) -> JNode:
        self.skip_ws()
        ch = self.peek()
        start = self.pos()
        if ch == "{":
            return self.obj()
        if ch == "[":
            return self.arr()
        if ch == '"':
            return self.string()
        if ch == "-" or ch.isdigit():
            return self.num()
        for word, node in (("true", JBool), ("false", JBool), ("null", JNull)):
            if self.text.startswith(word, self.i):
                self.advance(len(word))
                if node is JBool:
                    return JBool(start, self.pos(), word == "true")
                return JNull(start, self.pos())
        if not ch:
            raise self.fail("Expected a JSON value, but found end of file.")
        raise self.fail(f"Invalid JSON value: unexpected {ch!r}.")

    def obj(self) -> JObject:
        start = self.pos()
        self.advance()
        props: list[JProp] = []
        self.skip_ws()
        if self.peek() == "}":
            self.advance()
            return JObject(start, self.pos(), props)
        while True:
            self.skip_ws()
            if self.peek() != '"':
                raise self.fail("Expected a quoted property name.")
            key = self.string()
            self.skip_ws()
            self.expect(":", "a colon after the property name")
            props.append(JProp(key, self.value()))
            self.skip_ws()
            if self.peek() == ",":
                self.advance()
                continue
            self.expect("}", "a comma or a closing brace")
            return JObject(start, self.pos(), props)

    def arr(self) -> JArray:
        start = self.pos()
        self.advance()
        items: list[JNode] = []
        self.skip_ws()
        if self.peek() == "]":
            self.advance()
            return JArray(start, self.pos(), items)
        while True:
            items.append(self.value())
            self.skip_ws()
            if self.peek() == ",":
                self.advance()
                continue
            self.expect("]", "a comma or a closing bracket")
            return JArray(start, self.pos(), items)

    def string(self) -> JString:
        start = self.pos()
        self.advance()
        out: list[str] = []
        raw_start = self.i
        escaped = False
        while True:
            ch = self.peek()
            if not ch:
                raise self.fail("Unterminated string.")
            if ch == '"':
                raw = self.text[raw_start:self.i]
                self.advance()
                return JString(start, self.pos(), "".join(out), raw, escaped)
            if ch == "\\":
                escaped = True
                self.advance()
                esc = self.peek()
                if esc == "u":
                    hexdigits = self.text[self.i + 1:self.i + 5]
                    if len(hexdigits) != 4 or any(c not in "0123456789abcdefABCDEF" for c in hexdigits):
                        raise self.fail("Invalid \\u escape in string.")
                    code = int(hexdigits, 16)
                    self.advance(5)
                    if 0xD800 <= code < 0xDC00 and self.text.startswith("\\u", self.i):
                        low = int(self.text[self.i + 2:self.i + 6], 16)
                        if 0xDC00 <= low < 0xE000:
                            self.advance(6)
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    out.append(chr(code))
                    continue
                if esc not in _ESCAPES:
                    raise self.fail(f"Invalid escape sequence \\{esc} in string.")
                out.append(_ESCAPES[esc])
                self.advance()
                continue
            if ch < " ":
                raise self.fail("Control characters are not allowed in strings.")
            out.append(ch)
            self.advance()

    def num(self) -> JNumber:
        start = self.pos()
        j = self.i
        text = self.text
        if text[j:j + 1] == "-":
            j += 1
        while j < len(text) and (text[j].isdigit() or text[j] in ".eE+-"):
            j += 1
        literal = text[self.i:j]
        try:
            value = Decimal(literal)
        except ArithmeticError:
            raise self.fail(f"Invalid number {literal!r}.") from None
        self.advance(j - self.i)
        return JNumber(start, self.pos(), value)


def parse_json(text: str) -> JNode:
    """Parse a whole JSON document. Raises ``JSONSyntaxError`` with the position of the problem."""
    reader = _Reader(text)
    node = reader.value()
    reader.skip_ws()
    if reader.peek():
        raise reader.fail("Extraneous data after the JSON value.")
    return node
