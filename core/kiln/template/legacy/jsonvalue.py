"""Reading legacy JSON templates as Go's encoding/json does, keeping the range of every value.

Syntax errors carry Go's wording and Packer's position report::

    Error parsing JSON: invalid character '}' looking for beginning of object key string
    At line 3, column 22 (offset 39):
        2:   "builders": [
        3:     {"type": "null",}
                               ^

Numbers are ``int`` when written without fraction or exponent, else ``float`` (Go reads both as
float64; kiln keeps integers exact). Duplicate keys: the last one wins, as in Go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiln_sdk.gotemplate.values import go_quote

from kiln.hcl.syntax import Pos, Range

_WS = " \t\r\n"


@dataclass
class JValue:
    """A JSON value with its source range; containers hold JValues."""

    value: Any  # str | int | float | bool | None | list[JValue] | dict[str, JValue]
    range: Range
    key_ranges: dict[str, Range] = field(default_factory=dict)  # for objects: where each key is written

    def plain(self) -> Any:
        """The value as plain Python data."""
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        return self.value

    def go_type(self) -> str:
        """The Go type encoding/json gives this value in an ``interface{}``."""
        v = self.value
        if v is None:
            return "<nil>"
        if isinstance(v, bool):
            return "bool"
        if isinstance(v, (int, float)):
            return "float64"
        if isinstance(v, str):
            return "string"
        return "[]interface {}" if isinstance(v, list) else "map[string]interface {}"


def _is_digit(c: str) -> bool:
    """An ASCII digit (str.isdigit also admits '²' and other digits int() refuses)."""
    return len(c) == 1 and "0" <= c <= "9"


class JSONSyntaxError(ValueError):
    """Malformed JSON; ``offset`` is Go's SyntaxError.Offset (bytes read, the bad one included)."""

    def __init__(self, message: str, offset: int, text: str, filename: str, where: Pos | None = None) -> None:
        self.message, self.offset, self.filename = message, offset, filename
        self.where = where  # the offending character (or the end of the input)
        self.line, self.col, self.highlight = highlight_position(text.encode(), offset)
        super().__init__(
            f"Error parsing JSON: {message}\nAt line {self.line}, column {self.col} (offset {offset}):\n"
            f"{self.highlight}"
        )


def highlight_position(data: bytes, offset: int) -> tuple[int, int, str]:
    """Packer's highlightPosition: line, column and the two source lines with a caret (quirks kept)."""
    line, col = 1, 0
    last, this = b"", bytearray()
    for b in data[:offset]:
        if b == 0x0A:
            last, this = bytes(this), bytearray()
            line, col = line + 1, 1
        else:
            col += 1
            this.append(b)
    out = ""
    if line > 1:
        out += f"{line - 1:5d}: {last.decode(errors='replace')}\n"
    out += f"{line:5d}: {bytes(this).decode(errors='replace')}\n"
    out += " " * (col + 5) + "^\n"
    return line, col, out


def _quote_char(c: str) -> str:
    if c == "'":
        return "'\\''"
    if c == '"':
        return "'\"'"
    c = chr(c.encode()[0])  # Go quotes the offending byte, read as a rune
    return "'" + go_quote(c)[1:-1] + "'"


class _Reader:
    def __init__(self, text: str, filename: str) -> None:
        self.text, self.filename = text, filename
        self.i = 0
        self.duplicate: tuple[str, Range] | None = None  # the first key written twice in one object
        self._line_starts = [0] + [k + 1 for k, ch in enumerate(text) if ch == "\n"]

    def pos(self, i: int | None = None) -> Pos:
        i = self.i if i is None else i
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= i:
                lo = mid
            else:
                hi = mid - 1
        return Pos(lo + 1, i - self._line_starts[lo] + 1, i)

    def range(self, start: int) -> Range:
        return Range(self.filename, self.pos(start), self.pos())

    def fail(self, context: str, at: int | None = None) -> JSONSyntaxError:
        at = self.i if at is None else at
        if at >= len(self.text):
            return self.eof()
        offset = len(self.text[:at].encode()) + 1  # Go stops at the offending byte (its first one)
        return JSONSyntaxError(f"invalid character {_quote_char(self.text[at])} {context}", offset,
                               self.text, self.filename, self.pos(at))

    def eof(self) -> JSONSyntaxError:
        return JSONSyntaxError("unexpected end of JSON input", len(self.text.encode()), self.text, self.filename,
                               self.pos(len(self.text)))

    def skip_ws(self) -> None:
        while self.i < len(self.text) and self.text[self.i] in _WS:
            self.i += 1

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def value(self) -> JValue:
        self.skip_ws()
        c, start = self.peek(), self.i
        if not c:
            raise self.eof()
        if c == "{":
            return self.obj()
        if c == "[":
            return self.arr()
        if c == '"':
            return JValue(self.string(), self.range(start))
        if c == "-" or _is_digit(c):
            return JValue(self.number(), self.range(start))
        for word, val in (("true", True), ("false", False), ("null", None)):
            if c == word[0]:
                for k, expect in enumerate(word[1:], 1):
                    if self.i + k >= len(self.text):
                        raise self.eof()
                    if self.text[self.i + k] != expect:
                        raise self.fail(f"in literal {word} (expecting '{expect}')", self.i + k)
                self.i += len(word)
                return JValue(val, self.range(start))
        raise self.fail("looking for beginning of value")

    def obj(self) -> JValue:
        start = self.i
        self.i += 1
        out: dict[str, JValue] = {}
        keys: dict[str, Range] = {}
        self.skip_ws()
        if self.peek() == "}":
            self.i += 1
            return JValue(out, self.range(start))
        while True:
            self.skip_ws()
            if self.peek() != '"':
                raise self.fail("looking for beginning of object key string")
            kstart = self.i
            key = self.string()
            krange = self.range(kstart)
            self.skip_ws()
            if self.peek() != ":":
                raise self.fail("after object key")
            self.i += 1
            if key in out and self.duplicate is None:
                self.duplicate = (key, krange)
            out.pop(key, None)
            out[key], keys[key] = self.value(), krange
            self.skip_ws()
            if self.peek() == ",":
                self.i += 1
                continue
            if self.peek() == "}":
                self.i += 1
                return JValue(out, self.range(start), keys)
            raise self.fail("after object key:value pair")

    def arr(self) -> JValue:
        start = self.i
        self.i += 1
        items: list[JValue] = []
        self.skip_ws()
        if self.peek() == "]":
            self.i += 1
            return JValue(items, self.range(start))
        while True:
            items.append(self.value())
            self.skip_ws()
            if self.peek() == ",":
                self.i += 1
                continue
            if self.peek() == "]":
                self.i += 1
                return JValue(items, self.range(start))
            raise self.fail("after array element")

    def string(self) -> str:
        self.i += 1
        out: list[str] = []
        text = self.text
        while True:
            if self.i >= len(text):
                raise self.eof()
            c = text[self.i]
            if c == '"':
                self.i += 1
                return "".join(out)
            if c < " ":
                raise self.fail("in string literal")
            if c != "\\":
                out.append(c)
                self.i += 1
                continue
            self.i += 1
            if self.i >= len(text):
                raise self.eof()
            e = text[self.i]
            simple = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
            if e in simple:
                out.append(simple[e])
                self.i += 1
            elif e == "u":
                out.append(self._unicode())
            else:
                raise self.fail("in string escape code")

    def _unicode(self) -> str:
        code = self._hex4()
        if 0xD800 <= code < 0xDC00 and self.text.startswith("\\u", self.i):
            save = self.i
            self.i += 1
            low = self._hex4()
            if 0xDC00 <= low < 0xE000:
                return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
            self.i = save
        return "\ufffd" if 0xD800 <= code < 0xE000 else chr(code)

    def _hex4(self) -> int:
        self.i += 1  # the "u"
        for k in range(4):
            if self.i + k >= len(self.text):
                raise self.eof()
            if self.text[self.i + k] not in "0123456789abcdefABCDEF":
                raise self.fail("in \\u hexadecimal character escape", self.i + k)
        code = int(self.text[self.i:self.i + 4], 16)
        self.i += 4
        return code

    def number(self) -> int | float:
        text, start = self.text, self.i
        if self.peek() == "-":
            self.i += 1
            if not self.peek():
                raise self.eof()
            if not _is_digit(self.peek()):
                raise self.fail("in numeric literal")
        if self.peek() == "0":
            self.i += 1
        else:
            while _is_digit(self.peek()):
                self.i += 1
        is_float = False
        if self.peek() == ".":
            is_float = True
            self.i += 1
            if not self.peek():
                raise self.eof()
            if not _is_digit(self.peek()):
                raise self.fail("after decimal point in numeric literal")
            while _is_digit(self.peek()):
                self.i += 1
        if self.peek() in ("e", "E"):
            is_float = True
            self.i += 1
            if self.peek() in ("+", "-"):
                self.i += 1
            if not self.peek():
                raise self.eof()
            if not _is_digit(self.peek()):
                raise self.fail("in exponent of numeric literal")
            while _is_digit(self.peek()):
                self.i += 1
        literal = text[start:self.i]
        if is_float or len(literal) > 4000:  # Go decodes every number as a float64 (this one: +Inf)
            return float(literal)
        return int(literal)


def parse_json(text: str, filename: str) -> JValue:
    """Parse one JSON document; raises JSONSyntaxError with Go's message and Packer's position."""
    return parse_json_checked(text, filename)[0]


def parse_json_checked(text: str, filename: str) -> tuple[JValue, tuple[str, Range] | None]:
    """Parse one JSON document; also the first duplicated object key (Packer rejects those)."""
    reader = _Reader(text, filename)
    value = reader.value()
    reader.skip_ws()
    if reader.i < len(text):
        raise reader.fail("after top-level value")
    return value, reader.duplicate
