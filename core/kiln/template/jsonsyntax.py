"""A JSON reader that keeps the source position of every value (HCL's JSON syntax needs them).

Positions are ``kiln.hcl.syntax.Pos``: 1-based line and column, 0-based offset (in characters).
Duplicate object keys are kept in order: HCL's JSON syntax gives them meaning (repeated blocks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from kiln.hcl.syntax import Pos
from kiln.template.suggest import suggestion


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


def _is_digit(c: str) -> bool:
    """An ASCII digit (str.isdigit also admits '²' and other digits int() refuses)."""
    return len(c) == 1 and "0" <= c <= "9"


class JSONSyntaxError(ValueError):
    """The first syntax error, in the words of HCL's JSON parser (``summary``, ``detail``)."""

    def __init__(self, summary: str, detail: str, pos: Pos, root_object: bool = False) -> None:
        super().__init__(f"{summary}: {detail}")
        self.summary = summary
        self.detail = detail
        self.message = detail
        self.pos = pos
        self.root_object = root_object  # the root object itself is malformed (HCL: then no root object)


_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_VALUE_START = "A JSON value must start with a brace, a bracket, a number, a string, or a keyword."
_KEYWORDS = ("true", "false", "null")


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.col = 1
        self.byte = 0
        self.depth = 0  # objects being read

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

    def fail(self, summary: str, detail: str, pos: Pos | None = None) -> JSONSyntaxError:
        return JSONSyntaxError(summary, detail, pos or self.pos())

    def word(self) -> str:
        j = self.i
        while j < len(self.text) and (self.text[j].isalnum() or self.text[j] == "_"):
            j += 1
        return self.text[self.i:j]

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
        if ch == "-" or _is_digit(ch):
            return self.num()
        if ch.isalpha() or ch == "_":
            return self.keyword(start)
        if ch == "}":
            raise self.fail("Missing JSON value", _VALUE_START)
        if ch == "]":
            raise self.fail("Missing array element value", _VALUE_START)
        if not ch:
            raise self.fail("Missing value", "The JSON data ends prematurely.")
        raise self.fail("Invalid start of value", _VALUE_START)

    def keyword(self, start: Pos) -> JNode:
        word = self.word()
        if word in ("undefined", "NaN", "Infinity"):
            raise self.fail("Invalid JSON keyword", f'The JavaScript identifier "{word}" cannot be used in JSON.')
        if word not in _KEYWORDS:
            raise self.fail("Invalid JSON keyword", f'"{word}" is not a valid JSON keyword.'
                            f"{suggestion(word.lower(), _KEYWORDS)}")
        self.advance(len(word))
        if word == "null":
            return JNull(start, self.pos())
        return JBool(start, self.pos(), word == "true")

    def obj(self) -> JObject:
        self.depth += 1
        try:
            return self._obj()
        finally:
            self.depth -= 1

    def obj_fail(self, summary: str, detail: str, pos: Pos | None = None) -> JSONSyntaxError:
        """A malformed object: when it is the root object, HCL also finds no root object."""
        err = self.fail(summary, detail, pos)
        err.root_object = self.depth == 1
        return err

    def _obj(self) -> JObject:
        start = self.pos()
        self.advance()
        props: list[JProp] = []
        while True:
            self.skip_ws()
            if self.peek() == "}":
                self.advance()
                return JObject(start, self.pos(), props)
            key_start = self.pos()
            key = self.value()
            if not isinstance(key, JString):
                raise self.obj_fail("Invalid object property name", "A JSON object property name must be a string",
                                key_start)
            self.skip_ws()
            colon = self.peek()
            if colon != ":":
                if colon in ("}", ","):
                    raise self.obj_fail("Missing object value",
                                    "A JSON object attribute must have a value, introduced by a colon.")
                if colon == "=":
                    raise self.obj_fail("Missing property value colon",
                                    "JSON uses a colon as its name/value delimiter, not an equals sign.")
                raise self.obj_fail("Missing property value colon",
                                "A colon must appear between an object property's name and its value.")
            self.advance()
            props.append(JProp(key, self.value()))
            self.skip_ws()
            nxt = self.peek()
            if nxt == ",":
                self.advance()
                self.skip_ws()
                if self.peek() == "}":
                    raise self.obj_fail("Trailing comma in object",
                                    "JSON does not permit a trailing comma after the final property in an object.")
                continue
            if nxt == "}":
                continue
            if not nxt:
                raise self.obj_fail("Unclosed object", "No closing brace was found for this JSON object.", start)
            if nxt == "]":
                raise self.obj_fail("Mismatched braces", "A JSON object must be closed with a brace, not a bracket.")
            raise self.obj_fail("Missing attribute seperator comma",  # sic: HCL's spelling
                            "A comma must appear between each property definition in an object.")

    def arr(self) -> JArray:
        start = self.pos()
        self.advance()
        items: list[JNode] = []
        while True:
            self.skip_ws()
            if self.peek() == "]":
                self.advance()
                return JArray(start, self.pos(), items)
            items.append(self.value())
            self.skip_ws()
            nxt = self.peek()
            if nxt == ",":
                self.advance()
                self.skip_ws()
                if self.peek() == "]":
                    raise self.fail("Trailing comma in array",
                                    "JSON does not permit a trailing comma after the final value in an array.")
                continue
            if nxt == "]":
                continue
            if nxt == ":":
                raise self.fail("Invalid array value", "A colon is not used to introduce values in a JSON array.")
            if not nxt:
                raise self.fail("Unclosed object", "No closing bracket was found for this JSON array.", start)
            if nxt == "}":
                raise self.fail("Mismatched brackets", "A JSON array must be closed with a bracket, not a brace.")
            raise self.fail("Missing attribute seperator comma", "A comma must appear between each value in an array.")

    def string(self) -> JString:
        start = self.pos()
        self.advance()
        out: list[str] = []
        raw_start = self.i
        escaped = False
        while True:
            ch = self.peek()
            if not ch or ch == "\n":
                raise self.fail("Invalid JSON string", "There is a syntax error in the given JSON string.", start)
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
                        raise self.fail("Invalid JSON string", "There is a syntax error in the given JSON string.")
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
                    raise self.fail("Invalid JSON string", "There is a syntax error in the given JSON string.")
                out.append(_ESCAPES[esc])
                self.advance()
                continue
            if ch < " ":
                raise self.fail("Invalid JSON string", "There is a syntax error in the given JSON string.")
            out.append(ch)
            self.advance()

    def num(self) -> JNumber:
        start = self.pos()
        j = self.i
        text = self.text
        while j < len(text) and (_is_digit(text[j]) or text[j] in ".eE+-"):
            j += 1
        literal = text[self.i:j]
        if not _JSON_NUMBER.fullmatch(literal):
            raise self.fail("Invalid JSON number", "There is a syntax error in the given JSON number.")
        self.advance(j - self.i)
        return JNumber(start, self.pos(), Decimal(literal))


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def parse_json(text: str) -> JNode:
    """Parse a whole JSON document. Raises ``JSONSyntaxError`` with the position of the problem."""
    reader = _Reader(text)
    node = reader.value()
    reader.skip_ws()
    if reader.peek():
        raise reader.fail("Extraneous data after value", "Extra characters appear after the JSON value.")
    return node
