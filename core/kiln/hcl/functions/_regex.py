"""Go's RE2 regular expressions on top of Python's ``re``.

``compile_go`` checks the pattern with Go's rules (no lookaround, no backreferences, ASCII ``\\d \\w \\s
\\b``, ``$`` is end of text unless ``(?m)``, the ``U`` flag...) and translates it; ``GoSyntaxError``
carries Go's error code and the offending text. ``_regexrun`` runs the result with Go's rules.
"""

from __future__ import annotations

import re
import sys

from ._charclasses import (
    CATEGORIES,
    SCRIPTS,
    ascii_ranges,
    category_ranges,
    complement,
    render,
    script_ranges,
)
from ._regexrun import DUP


class GoSyntaxError(Exception):
    def __init__(self, code: str, expr: str) -> None:
        super().__init__(f"{code}: `{expr}`")
        self.code = code
        self.expr = expr


_ASCII_CLASSES = {
    "d": "0-9",
    "w": "0-9A-Za-z_",
    "s": "\\t\\n\\f\\r ",
}
_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_WORD = "[0-9A-Za-z_]"
_BOUNDARY = f"(?:(?<={_WORD})(?!{_WORD})|(?<!{_WORD})(?={_WORD}))"
_NOT_BOUNDARY = f"(?:(?<={_WORD})(?={_WORD})|(?<!{_WORD})(?!{_WORD}))"


class _Translator:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.out: list[str] = []
        self.extra: list[list[str]] = [[]]  # per open group: the scoped-flag groups to close with it
        self.multiline = False
        self.ungreedy = False  # Go's U flag: swap greedy and lazy repetitions
        self.group_names: dict[str, int] = {}
        self.can_repeat = False  # whether the previous item is something a repetition can apply to
        self.last_repeat = -1  # start offset of the previous repetition operator (for nesting errors)

    def run(self) -> str:
        p = self.p
        while self.i < len(p):
            ch = p[self.i]
            if ch == "\\":
                self._escape()
            elif ch == "[":
                self.out.append(self._class())
                self._atom()
            elif ch == "(":
                self._open()
            elif ch == ")":
                if len(self.extra) == 1:
                    raise GoSyntaxError("unexpected )", p)
                self.out.append(")" * (len(self.extra.pop()) + 1))
                self.i += 1
                self._atom()
            elif ch in "*+?" or ch == "{" and self._repeat_len() > 0:
                self._repeat()
            elif ch == "|":
                flags = self.extra[-1]  # Go's mid-group flags hold across "|": close and reopen them
                self.out.append(")" * len(flags) + "|" + "".join(f"(?{f}:" for f in flags))
                self.i += 1
                self.can_repeat = False
                self.last_repeat = -1
            elif ch == "$":
                self.out.append("$" if self.multiline else "\\Z")
                self.i += 1
                self._atom()
            elif ch == "^":
                self.out.append("^")
                self.i += 1
                self._atom()
            else:
                self.out.append(re.escape(ch) if ch not in "." else ch)
                self.i += 1
                self._atom()
        if len(self.extra) > 1:
            raise GoSyntaxError("missing closing )", p)
        self.out.append(")" * len(self.extra[0]))
        return "".join(self.out)

    def _atom(self) -> None:
        self.can_repeat = True
        self.last_repeat = -1

    def _repeat_len(self) -> int:
        m = re.match(r"\{(\d+)(,(\d*))?\}", self.p[self.i :])
        return m.end() if m else 0

    def _repeat(self) -> None:
        start = self.i
        n = self._repeat_len() if self.p[self.i] == "{" else 1
        end = start + n
        if end < len(self.p) and self.p[end] == "?":
            end += 1
        op = self.p[start:end]
        if self.last_repeat >= 0:
            raise GoSyntaxError("invalid nested repetition operator", self.p[self.last_repeat : end])
        if not self.can_repeat:
            raise GoSyntaxError("missing argument to repetition operator", op)
        if op.startswith("{"):
            m = re.match(r"\{(\d+)(,(\d*))?\}", op)
            assert m is not None
            lo, hi = int(m.group(1)), m.group(3)
            if lo > 1000 or (hi and (int(hi) > 1000 or int(hi) < lo)):
                raise GoSyntaxError("invalid repeat count", op)
        if self.ungreedy:
            lazy = op.endswith("?") and len(op) > 1
            op = op[:-1] if lazy else op + "?"
        self.out.append(op)
        self.i = end
        self.last_repeat = start

    def _open(self) -> None:
        p, i = self.p, self.i
        if p.startswith("(?", i):
            if p.startswith(("(?P<", "(?<"), i) and not p.startswith(("(?<=", "(?<!"), i):
                j = p.find(">", i)
                name = p[p.index("<", i) + 1 : j] if j > 0 else ""
                if j < 0 or not re.fullmatch(r"[A-Za-z0-9_]+", name):
                    raise GoSyntaxError("invalid named capture", p[i : j + 1] if j > 0 else p[i:])
                seen = self.group_names.get(name, 0)
                self.group_names[name] = seen + 1
                self.out.append(f"(?P<{name}{DUP}{seen}>" if seen else f"(?P<{name}>")
                self.i = j + 1
                self._group()
                return
            m = re.match(r"\(\?([imsU]*(?:-[imsU]*)?)([:)])", p[i:])
            if not m or m.group(1) in ("", "-") and m.group(2) == ")":
                raise GoSyntaxError("invalid or unsupported Perl syntax", p[i : i + 3])
            flags = m.group(1)
            on, _, off = flags.partition("-")
            if "U" in on:
                self.ungreedy = True
            if "U" in off:
                self.ungreedy = False
            on, off = on.replace("U", ""), off.replace("U", "")
            if "m" in on:
                self.multiline = True
            if "m" in off:
                self.multiline = False
            py_flags = on + ("-" + off if off else "")
            self.i = i + m.end()
            if m.group(2) == ":":
                self.out.append(f"(?{py_flags}:" if py_flags else "(?:")
                self._group()
            elif py_flags:
                self.out.append(f"(?{py_flags}:")
                self.extra[-1].append(py_flags)
            return
        self.out.append("(")
        self.i += 1
        self._group()

    def _group(self) -> None:
        self.extra.append([])
        self.can_repeat = False
        self.last_repeat = -1

    def _escape(self) -> None:
        text, in_class = self._read_escape(in_class=False)
        self.out.append(text)
        if in_class:
            self._atom()
        else:
            self.can_repeat = False
            self.last_repeat = -1

    def _read_escape(self, in_class: bool) -> tuple[str, bool]:
        """Translate the escape at ``self.i``; returns (text, whether it is repeatable)."""
        p, i = self.p, self.i
        if i + 1 >= len(p):
            raise GoSyntaxError("trailing backslash at end of expression", "")
        c = p[i + 1]
        self.i = i + 2
        if c in "dws":
            return (_ASCII_CLASSES[c] if in_class else f"[{_ASCII_CLASSES[c]}]"), True
        if c in "DWS":
            if in_class:
                return "\\" + c, True  # Unicode-aware in Python; rare inside a class
            return f"[^{_ASCII_CLASSES[c.lower()]}]", True
        if c in "pP":
            return self._unicode_class(c == "P", in_class), True
        if in_class and c in "bBAzQ":
            raise GoSyntaxError("invalid escape sequence", p[i : i + 2])
        if c == "b":
            return _BOUNDARY, False
        if c == "B":
            return _NOT_BOUNDARY, False
        if c == "A":
            return "\\A", False
        if c == "z":
            return "\\Z", False
        if c == "Q":
            end = p.find("\\E", self.i)
            lit = p[self.i :] if end < 0 else p[self.i : end]
            self.i = len(p) if end < 0 else end + 2
            return re.escape(lit), True
        if c in "01234567" and (c == "0" or (self.i < len(p) and p[self.i] in "01234567")):
            j = i + 1
            while j < len(p) and j < i + 4 and p[j] in "01234567":
                j += 1
            self.i = j
            return re.escape(chr(int(p[i + 1 : j], 8))), True
        if c == "x":
            m = re.match(r"\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{2})", p[self.i :])
            if not m:
                raise GoSyntaxError("invalid escape sequence", p[i : self.i + 2])
            self.i += m.end()
            return re.escape(chr(int(m.group(1) or m.group(2), 16))), True
        if c in "aftnrv":
            return "\\" + c, True
        if c.isascii() and not c.isalnum():
            return "\\" + c, True
        raise GoSyntaxError("invalid escape sequence", p[i : i + 2])

    def _unicode_class(self, negated: bool, in_class: bool) -> str:
        p = self.p
        start = self.i - 2
        if self.i < len(p) and p[self.i] == "{":
            end = p.find("}", self.i)
            if end < 0:
                raise GoSyntaxError("invalid character class range", p[self.i - 2 :])
            name = p[self.i + 1 : end]
            self.i = end + 1
        else:
            name = p[self.i : self.i + 1]
            self.i += 1
        if name.startswith("^"):
            negated, name = not negated, name[1:]
        if name in CATEGORIES:
            ranges = category_ranges(name)
        elif name in SCRIPTS:
            ranges = script_ranges(name)
        elif name == "Any":
            ranges = ((0, sys.maxunicode),)
        else:
            raise GoSyntaxError("invalid character class range", p[start : self.i])
        return (
            render(complement(ranges) if negated else ranges)
            if in_class
            else (f"[{render(complement(ranges) if negated else ranges)}]")
        )

    def _class(self) -> str:
        p, start = self.p, self.i
        self.i += 1
        out = ["["]
        if self.i < len(p) and p[self.i] == "^":
            out.append("^")
            self.i += 1
        first = True
        while True:
            if self.i >= len(p):
                raise GoSyntaxError("missing closing ]", p[start:])
            ch = p[self.i]
            if ch == "]" and not first:
                self.i += 1
                out.append("]")
                return "".join(out)
            first = False
            if ch == "[" and p.startswith("[:", self.i):
                end = p.find(":]", self.i + 2)
                name = p[self.i + 2 : end] if end > 0 else ""
                neg = name.startswith("^")
                if end > 0 and name.lstrip("^") in _POSIX:
                    body = _POSIX[name.lstrip("^")]
                    out.append(render(complement(ascii_ranges(body))) if neg else body)
                    self.i = end + 2
                    continue
            if ch == "\\":
                text, _ = self._read_escape(in_class=True)
                out.append(text)
                continue
            if ch == "-" and self._is_range_dash(ch, out):
                lo, hi = p[self.i - 1], p[self.i + 1]
                if hi != "\\" and p[self.i - 2 : self.i - 1] != "\\" and ord(lo) > ord(hi):
                    raise GoSyntaxError("invalid character class range", f"{lo}-{hi}")
            out.append("\\" + ch if ch in "[]&~|-" and not self._is_range_dash(ch, out) else ch)
            self.i += 1

    def _is_range_dash(self, ch: str, out: list[str]) -> bool:
        p = self.p
        return (
            ch == "-"
            and len(out) > 1
            and out[-1] not in ("[", "^")
            and self.i + 1 < len(p)
            and p[self.i + 1] != "]"
        )


def compile_go(pattern: str) -> re.Pattern[str]:
    """Compile a Go regular expression; raises ``GoSyntaxError`` with Go's code and expression."""
    translated = _Translator(pattern).run()
    try:
        return re.compile(translated)
    except re.error as err:
        raise GoSyntaxError(f"kiln cannot translate this pattern ({err.msg})", pattern) from None
