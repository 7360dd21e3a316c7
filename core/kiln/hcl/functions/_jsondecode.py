"""JSON text to an HCL value as cty's ``json.ImpliedType`` + ``Unmarshal`` do it: objects become
objects, arrays tuples, numbers exact decimals; errors read like Go's encoding/json decoder."""

from __future__ import annotations

from kiln.hcl import numbers
from kiln.hcl.convert import object_type
from kiln.hcl.values import BOOL, DYNAMIC, NUMBER, TupleType, Value

from ._support import string


class JSONDecodeError(Exception):
    pass


_WS = " \t\n\r"


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0

    def ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in _WS:
            self.i += 1

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def bad(self, context: str, boundary: bool = True) -> JSONDecodeError:
        """Go's decoder reports a plain "EOF" between tokens and "unexpected EOF" inside one."""
        if self.i >= len(self.s):
            return JSONDecodeError("EOF" if boundary else "unexpected EOF")
        return JSONDecodeError(
            f"invalid character {_quote_char(self.s[self.i])}{' ' if context else ''}{context}"
        )

    def value(self) -> Value:
        self.ws()
        ch = self.peek()
        if ch == "{":
            return self.obj()
        if ch == "[":
            return self.arr()
        if ch == '"':
            return string(self.string())
        if ch == "-" or ch.isdigit() and ch.isascii():
            return self.number()
        for word, val in (
            ("true", Value(BOOL, True)),
            ("false", Value(BOOL, False)),
            ("null", Value(DYNAMIC, None)),
        ):
            if ch == word[0]:
                for expect in word:
                    if self.i >= len(self.s):
                        raise JSONDecodeError("unexpected EOF")
                    if self.s[self.i] != expect:
                        raise self.bad(f"in literal {word} (expecting {_quote_char(expect)})", boundary=False)
                    self.i += 1
                return val
        raise self.bad("looking for beginning of value")

    def obj(self) -> Value:
        self.i += 1
        attrs: dict[str, Value] = {}
        self.ws()
        if self.peek() == "}":
            self.i += 1
            return Value(object_type({}), {})
        first = True
        while True:
            self.ws()
            if self.peek() != '"':
                raise self.bad("" if first else "looking for beginning of object key string")
            first = False
            key = self.string()
            self.ws()
            if self.peek() != ":":
                raise self.bad("after object key")
            self.i += 1
            attrs[key] = self.value()
            self.ws()
            if self.peek() == ",":
                self.i += 1
                continue
            if self.peek() == "}":
                self.i += 1
                return Value(object_type({k: v.type for k, v in attrs.items()}), attrs)
            raise self.bad("after object key:value pair")

    def arr(self) -> Value:
        self.i += 1
        elems: list[Value] = []
        self.ws()
        if self.peek() == "]":
            self.i += 1
            return Value(TupleType(()), [])
        while True:
            elems.append(self.value())
            self.ws()
            if self.peek() == ",":
                self.i += 1
                continue
            if self.peek() == "]":
                self.i += 1
                return Value(TupleType(tuple(e.type for e in elems)), elems)
            raise self.bad("after array element")

    def string(self) -> str:
        self.i += 1
        out: list[str] = []
        s = self.s
        while True:
            if self.i >= len(s):
                raise JSONDecodeError("unexpected EOF")
            ch = s[self.i]
            if ch == '"':
                self.i += 1
                return _join_surrogates("".join(out))
            if ch == "\\":
                self.i += 1
                if self.i >= len(s):
                    raise JSONDecodeError("unexpected EOF")
                e = s[self.i]
                simple = {
                    '"': '"',
                    "\\": "\\",
                    "/": "/",
                    "b": "\b",
                    "f": "\f",
                    "n": "\n",
                    "r": "\r",
                    "t": "\t",
                }
                if e in simple:
                    out.append(simple[e])
                    self.i += 1
                elif e == "u":
                    digits = s[self.i + 1 : self.i + 5]
                    for k, d in enumerate(digits):
                        if d not in "0123456789abcdefABCDEF":
                            self.i += 1 + k
                            raise self.bad("in \\u hexadecimal character escape", boundary=False)
                    if len(digits) < 4:
                        raise JSONDecodeError("unexpected EOF")
                    out.append(chr(int(digits, 16)))
                    self.i += 5
                else:
                    raise self.bad("in string escape code", boundary=False)
                continue
            if ord(ch) < 0x20:
                raise self.bad("in string literal", boundary=False)
            out.append(ch)
            self.i += 1

    def number(self) -> Value:
        start = self.i
        s = self.s
        if self.peek() == "-":
            self.i += 1
        if self.peek() == "0":
            self.i += 1
        elif self.peek().isdigit():
            while self.peek().isdigit():
                self.i += 1
        else:
            raise self.bad("in numeric literal", boundary=False)
        if self.peek() == ".":
            self.i += 1
            if not self.peek().isdigit():
                raise self.bad("after decimal point in numeric literal", boundary=False)
            while self.peek().isdigit():
                self.i += 1
        if self.peek() in ("e", "E"):
            self.i += 1
            if self.peek() in ("+", "-"):
                self.i += 1
            if not self.peek().isdigit():
                raise self.bad("in exponent of numeric literal", boundary=False)
            while self.peek().isdigit():
                self.i += 1
        n = numbers.parse(s[start : self.i])
        if n is None:  # pragma: no cover - the scan above only accepts valid numbers
            raise JSONDecodeError(f"invalid number {s[start : self.i]}")
        return Value(NUMBER, n)


def _quote_char(ch: str) -> str:
    if ch == "'":
        return "'\\''"
    if ch == "\\":
        return "'\\\\'"
    if ch.isprintable():
        return f"'{ch}'"
    return "'" + ch.encode("unicode_escape").decode("ascii") + "'"


def _join_surrogates(s: str) -> str:
    """Pairs of UTF-16 surrogate escapes become one character; lone ones become U+FFFD, as in Go."""
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in s):
        return s
    out: list[str] = []
    i = 0
    while i < len(s):
        c = ord(s[i])
        if 0xD800 <= c < 0xDC00 and i + 1 < len(s) and 0xDC00 <= ord(s[i + 1]) <= 0xDFFF:
            out.append(chr(0x10000 + ((c - 0xD800) << 10) + (ord(s[i + 1]) - 0xDC00)))
            i += 2
            continue
        out.append("\ufffd" if 0xD800 <= c <= 0xDFFF else s[i])
        i += 1
    return "".join(out)


def decode(text: str) -> Value:
    p = _Parser(text)
    p.ws()
    if p.i >= len(text):
        raise JSONDecodeError("EOF")
    v = p.value()
    p.ws()
    if p.i < len(text):
        raise JSONDecodeError("extraneous data after JSON object")
    return v
