"""Lexing Go text/template source: text runs and actions (``{{ ... }}``) with their trim markers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

LEFT, RIGHT = "{{", "}}"
SPACE = " \t\r\n"
KEYWORDS = frozenset({"if", "else", "end", "range", "with", "define", "template", "block"})


class ParseError(Exception):
    """A template that Go's parser would reject; ``pos`` is the byte offset of the problem."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


@dataclass
class Token:
    kind: str  # field var dot ident keyword string number bool nil pipe lparen rparen declare assign comma
    text: str  # the source text
    pos: int
    value: Any = None
    space_before: bool = False


@dataclass
class Item:
    """One piece of the template: a text run, a comment, or an action's tokens."""

    kind: str  # "text" | "action" | "comment"
    pos: int  # start offset (of "{{" for actions)
    end: int  # end offset (after "}}")
    text: str = ""
    tokens: list[Token] = field(default_factory=list)
    ltrim: bool = False  # the action opens with "{{- "
    rtrim: bool = False  # the action closes with " -}}"


_NUMBER = re.compile(
    r"[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|"
    r"(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?)(i?)"
)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
            "\\": "\\", '"': '"', "'": "'"}


def unquote(body: str, pos: int) -> str:
    """Go's strconv.Unquote for the inside of a double-quoted string."""
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[nxt]
            digits = body[i + 2:i + 2 + width]
            if len(digits) != width or not all(d in "0123456789abcdefABCDEF" for d in digits):
                raise ParseError("invalid syntax", pos)
            out.append(chr(int(digits, 16)))
            i += 2 + width
        elif nxt in "01234567":
            digits = body[i + 1:i + 4]
            if len(digits) != 3 or not all(d in "01234567" for d in digits):
                raise ParseError("invalid syntax", pos)
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            raise ParseError("invalid syntax", pos)
    return "".join(out)


def _number(text: str, pos: int) -> int | float:
    clean = text.replace("_", "")
    try:
        if re.fullmatch(r"[+-]?0[xXbBoO].*", clean):
            return int(clean, 0)
        if any(c in clean for c in ".eE"):
            return float(clean)
        return int(clean, 10) if not re.fullmatch(r"[+-]?0\d+", clean) else int(clean, 8)
    except ValueError:
        raise ParseError(f"bad number syntax: {text!r}".replace("'", '"'), pos) from None


def lex(src: str) -> list[Item]:
    items: list[Item] = []
    i = 0
    while i < len(src):
        start = src.find(LEFT, i)
        if start < 0:
            items.append(Item("text", i, len(src), src[i:]))
            break
        if start > i:
            items.append(Item("text", i, start, src[i:start]))
        items.append(_lex_action(src, start))
        i = items[-1].end
    return items


def _lex_action(src: str, start: int) -> Item:
    i = start + len(LEFT)
    ltrim = src.startswith("-", i) and i + 1 < len(src) and src[i + 1] in SPACE
    if ltrim:
        i += 2
    item = Item("action", start, start, ltrim=ltrim)
    j = i
    while j < len(src) and src[j] in SPACE:
        j += 1
    if src.startswith("/*", j):
        close = src.find("*/", j + 2)
        if close < 0:
            raise ParseError("unclosed comment", start)
        k = close + 2
        if src.startswith(" -" + RIGHT, k) or src.startswith("\t-" + RIGHT, k):
            item.rtrim, k = True, k + 2
        elif src.startswith("\n-" + RIGHT, k) or src.startswith("\r-" + RIGHT, k):
            item.rtrim, k = True, k + 2
        if not src.startswith(RIGHT, k):
            raise ParseError("comment ends before closing delimiter", start)
        item.kind, item.end = "comment", k + len(RIGHT)
        return item
    space = False
    while True:
        if i >= len(src):
            raise ParseError("unclosed action", start)
        c = src[i]
        if c in SPACE:
            if src.startswith("-" + RIGHT, i + 1):
                item.rtrim, item.end = True, i + 1 + 1 + len(RIGHT)
                return item
            space = True
            i += 1
            continue
        if src.startswith(RIGHT, i):
            item.end = i + len(RIGHT)
            return item
        tok, i = _lex_token(src, i, start)
        tok.space_before = space
        space = False
        item.tokens.append(tok)


def _terminated(src: str, i: int) -> None:
    """Go's atTerminator after a word: a space, ``.,|:()``, the closing delimiter or the end; else
    ``bad character U+0022 '"'``."""
    if i >= len(src) or src[i] in SPACE or src[i] in ".,|:()" or src.startswith(RIGHT, i):
        return
    raise ParseError(f"bad character U+{ord(src[i]):04X} '{src[i]}'", i)


def _lex_token(src: str, i: int, action_start: int) -> tuple[Token, int]:
    c = src[i]
    if c == '"':
        j = i + 1
        while j < len(src) and src[j] != '"':
            if src[j] == "\\":
                j += 1
            if j < len(src) and src[j] == "\n":
                break
            j += 1
        if j >= len(src) or src[j] != '"':
            raise ParseError("unterminated quoted string", action_start)
        return Token("string", src[i:j + 1], i, unquote(src[i + 1:j], i)), j + 1
    if c == "`":
        j = src.find("`", i + 1)
        if j < 0:
            raise ParseError("unterminated raw quoted string", action_start)
        return Token("string", src[i:j + 1], i, src[i + 1:j]), j + 1
    if c == "'":
        m = re.compile(r"'(\\.[^']*|[^\\'])'").match(src, i)
        if not m:
            raise ParseError("unterminated character constant", action_start)
        ch = unquote(m.group(1), i)
        return Token("number", m.group(0), i, ord(ch[0]) if ch else 0), m.end()
    if c == "|":
        return Token("pipe", c, i), i + 1
    if c == "(":
        return Token("lparen", c, i), i + 1
    if c == ")":
        return Token("rparen", c, i), i + 1
    if c == ",":
        return Token("comma", c, i), i + 1
    if src.startswith(":=", i):
        return Token("declare", ":=", i), i + 2
    if c == "=":
        return Token("assign", c, i), i + 1
    if c in ".$":
        m = _IDENT.match(src, i + 1)
        if c == "." and not m and i + 1 < len(src) and src[i + 1].isdigit():
            pass  # a number like .5
        else:
            name = m.group(0) if m else ""
            kind = "field" if c == "." else "var"
            if c == "." and not name:
                kind = "dot"
            if name:
                _terminated(src, i + 1 + len(name))
            return Token(kind, c + name, i, name), i + 1 + len(name)
    if c.isdigit() or c in "+-.":
        m = _NUMBER.match(src, i)
        if m and m.group(0) not in ("+", "-", "."):
            end = m.end()
            if end < len(src) and (src[end].isalnum() or src[end] == "_"):  # Go: "1x" is one bad number
                raise ParseError(f"bad number syntax: {src[i:end + 1]!r}".replace("'", '"'), i)
            return Token("number", m.group(0), i, _number(m.group(0), i)), end
    m = _IDENT.match(src, i)
    if m:
        word = m.group(0)
        _terminated(src, m.end())
        if word in ("true", "false"):
            return Token("bool", word, i, word == "true"), m.end()
        if word == "nil":
            return Token("nil", word, i), m.end()
        return Token("keyword" if word in KEYWORDS else "ident", word, i, word), m.end()
    raise ParseError(f"unrecognized character in action: U+{ord(c):04X} {c!r}", i)
