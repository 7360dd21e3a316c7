"""HCL2 native syntax scanner (hclsyntax's token kinds, in Python).

Expression mode yields identifiers, numbers, punctuation and NEWLINE tokens. A ``"`` or a heredoc
introducer switches to template mode, which yields literal tokens (one per line in heredocs, so the
parser can strip ``<<-`` indentation) and ``${``/``%{`` sequences whose closing ``}`` returns to the
template. Strip markers are part of their tokens: ``${~``, ``%{~`` and ``~}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiln.hcl.diagnostics import HclDiagnostic, error
from kiln.hcl.syntax import Pos, Range

IDENT = "IDENT"
NUMBER = "NUMBER"
NEWLINE = "NEWLINE"
EOF = "EOF"
OQUOTE = "OQUOTE"
CQUOTE = "CQUOTE"
OHEREDOC = "OHEREDOC"
CHEREDOC = "CHEREDOC"
LIT = "LIT"  # template literal text (raw: escapes are processed by the parser)
INTERP = "INTERP"  # ${ or ${~
CONTROL = "CONTROL"  # %{ or %{~
SEQ_END = "SEQ_END"  # } or ~} closing an interpolation or directive
PUNCT = "PUNCT"
INVALID = "INVALID"  # a character HCL does not use (reported in ``diagnostics``)

_INVALID_CHARS = {
    "&": ("Unsupported operator", 'Bitwise operators are not supported. Did you mean boolean AND ("&&")?'),
    "|": ("Unsupported operator", 'Bitwise operators are not supported. Did you mean boolean OR ("&&")?'),
    "~": ("Unsupported operator", 'Bitwise operators are not supported. Did you mean boolean NOT ("!")?'),
    "'": ("Invalid character", 'Single quotes are not valid. Use double quotes (") to enclose strings.'),
    "`": (
        "Invalid character",
        'The "`" character is not valid. To create a multi-line string, use the "heredoc" syntax, like "<<EOT".',
    ),
    ";": (
        "Invalid character",
        'The ";" character is not valid. Use newlines to separate arguments and blocks, and commas to '
        "separate items in collection values.",
    ),
}

_PUNCT3 = ("...",)
_PUNCT2 = ("==", "!=", "<=", ">=", "&&", "||", "=>")
_PUNCT1 = "{}[]().,:?=<>+-*/%!"
_BLANKS = re.compile(r"[ \t]+")
_ASCII_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    range: Range


def _is_ident_start(c: str) -> bool:
    """Unicode's ID_Start or ``_`` (Python's identifier rules are Unicode's XID ones: letters, letter
    numbers such as "Ⅻ"; not "²")."""
    if c.isascii():
        return c.isalpha() or c == "_"
    return c.isidentifier()


def _is_ident_char(c: str) -> bool:
    """Unicode's ID_Continue or ``-``: also combining marks ("é" written e + U+0301), "·", "‿"."""
    if c.isascii():
        return c.isalnum() or c in "_-"
    return ("a" + c).isidentifier()


class _Scanner:
    def __init__(self, src: str, filename: str, start: Pos) -> None:
        self.src = src
        self.filename = filename
        self.i = 0
        self.line = start.line
        self.col = start.column
        self.byte0 = start.byte
        self.tokens: list[Token] = []
        self.diagnostics: list[HclDiagnostic] = []
        self.told: dict[str, int] = {}
        # mode stack: ("expr", depth) | ("quote",) | ("heredoc", marker, at_line_start)
        self.modes: list[list[object]] = [["expr", 0, False]]

    def pos(self) -> Pos:
        return Pos(self.line, self.col, self.byte0 + self.i)

    def advance(self, n: int) -> str:
        text = self.src[self.i : self.i + n]
        newlines = text.count("\n")
        if newlines:
            self.line += newlines
            self.col = len(text) - text.rfind("\n")
        else:
            self.col += len(text)
        self.i += n
        return text

    def emit(self, kind: str, n: int) -> Token:
        i = self.i
        start = Pos(self.line, self.col, self.byte0 + i)
        text = self.src[i : i + n]
        if "\n" in text:
            self.line += text.count("\n")
            self.col = len(text) - text.rfind("\n")
        else:
            self.col += len(text)
        self.i = i + n
        tok = Token(kind, text, Range(self.filename, start, Pos(self.line, self.col, self.byte0 + self.i)))
        self.tokens.append(tok)
        return tok

    def run(self) -> list[Token]:
        while True:
            mode = self.modes[-1]
            if mode[0] == "heredoc" and mode[1] is None and self.i >= len(self.src):
                self.modes.pop()  # a bare template ends with the source
                break
            if mode[0] == "expr":
                more = self.scan_expr(mode)
            elif mode[0] == "quote":
                more = self.scan_quoted()
            else:
                more = self.scan_heredoc(mode)
            if not more:
                break
        self.tokens.append(Token(EOF, "", Range(self.filename, self.pos(), self.pos())))
        return self.tokens

    # -- expression mode -------------------------------------------------------------------------
    def scan_expr(self, mode: list[object]) -> bool:
        src, i = self.src, self.i
        if i >= len(src):
            return False
        c = src[i]
        if c in " \t":
            n = _BLANKS.match(src, i).end() - i  # type: ignore[union-attr]
            self.col += n
            self.i += n
        elif c == "\r" and src.startswith("\n", i + 1):  # a lone CR is an invalid character
            self.advance(1)
        elif c == "\n":
            self.emit(NEWLINE, 1)
        elif c == "#" or src.startswith("//", i):
            end = src.find("\n", i)
            if end < 0:
                self.advance(len(src) - i)
            else:
                self.advance(end - i)
                self.emit(NEWLINE, 1)
        elif src.startswith("/*", i) and src.find("*/", i + 2) >= 0:  # unterminated: "/" then "*", as hclsyntax
            self.advance(src.find("*/", i + 2) + 2 - i)
        elif c == '"':
            self.emit(OQUOTE, 1)
            self.modes.append(["quote"])
        elif src.startswith("<<", i) and self.scan_heredoc_start():
            pass
        elif "0" <= c <= "9":  # ASCII digits only: "²" is no number
            self.emit(NUMBER, self.number_length(i))
        elif _is_ident_start(c):
            m = _ASCII_IDENT.match(src, i)
            j = m.end() if m else i + 1
            while j < len(src) and _is_ident_char(src[j]):  # letters and marks beyond ASCII
                j += 1
            self.emit(IDENT, j - i)
        elif c == "~" and src.startswith("~}", i) and mode[2] and mode[1] == 0:
            self.emit(SEQ_END, 2)
            self.modes.pop()
        elif c == "}" and mode[2] and mode[1] == 0:
            self.emit(SEQ_END, 1)
            self.modes.pop()
        else:
            for p in _PUNCT3 + _PUNCT2:
                if src.startswith(p, i):
                    self.emit(PUNCT, len(p))
                    return True
            if c in _PUNCT1:
                if c == "{":
                    mode[1] = int(mode[1]) + 1  # type: ignore[call-overload]
                elif c == "}":
                    mode[1] = int(mode[1]) - 1  # type: ignore[call-overload]
                self.emit(PUNCT, 1)
            else:
                summary, detail = _INVALID_CHARS.get(
                    c, ("Invalid character", "This character is not used within the language.")
                )
                tok = self.emit(INVALID, 1)
                if self.should_report(c):
                    self.diagnostics.append(error(summary, detail, tok.range))
        return True

    def should_report(self, c: str) -> bool:
        """hclsyntax's ``checkInvalidTokens`` limits: quotes every other time, operators a few times."""
        key = "bitwise" if c in "&|~" else c
        told = self.told.get(key, 0)
        self.told[key] = told + 1
        if c in "'`":
            return told % 2 == 0 and told < 4
        if key == "bitwise":
            return told < 4
        if c == ";":
            return told < 1
        return True

    def number_length(self, i: int) -> int:
        """hclsyntax's NumberLit: a digit, then digits, dots and exponents (``e+5``), not ending in a dot."""
        src = self.src
        j = i + 1
        while j < len(src):
            c = src[j]
            if "0" <= c <= "9" or c == ".":
                j += 1
            elif c in "eE":
                k = j + 1 + (1 if src[j + 1 : j + 2] in ("+", "-") and src[j + 1 : j + 2] != "" else 0)
                if k < len(src) and "0" <= src[k] <= "9":
                    j = k + 1
                else:
                    break
            else:
                break
        while src[j - 1] == ".":
            j -= 1
        return j - i

    def scan_heredoc_start(self) -> bool:
        src, i = self.src, self.i
        j = i + 2
        if j < len(src) and src[j] == "-":
            j += 1
        k = j
        if k < len(src) and _is_ident_start(src[k]):
            while k < len(src) and _is_ident_char(src[k]):
                k += 1
        else:
            return False
        nl = k + 1 if src.startswith("\n", k) else k + 2 if src.startswith("\r\n", k) else -1
        if nl < 0:
            return False
        self.emit(OHEREDOC, nl - i)
        self.modes.append(["heredoc", src[j:k], True])
        return True

    # -- template modes --------------------------------------------------------------------------
    def scan_template_seq(self) -> bool:
        src, i = self.src, self.i
        for opener, kind in (("${", INTERP), ("%{", CONTROL)):
            if src.startswith(opener, i):
                n = 3 if src.startswith("~", i + 2) else 2
                self.emit(kind, n)
                self.modes.append(["expr", 0, True])
                return True
        return False

    def literal_end(self, stops: str, backslash: bool) -> int:
        """End of literal text from the cursor: before an unescaped ``${``/``%{`` or a stop character."""
        src, j = self.src, self.i
        while j < len(src):
            c = src[j]
            if c in stops:
                break
            if c == "\\" and backslash:
                j += 1 if src.startswith("\n", j + 1) else 2
                continue
            if c in "$%" and src.startswith("{", j + 1):
                break
            if c in "$%" and src.startswith(c + "{", j + 1):  # $${ and %%{ escapes
                j += 3
                continue
            j += 1
        return min(j, len(src))

    def scan_quoted(self) -> bool:
        src, i = self.src, self.i
        if i >= len(src):
            return False
        if src[i] == '"':
            self.emit(CQUOTE, 1)
            self.modes.pop()
            return True
        if src[i] == "\n":  # HCL reports it and reads on, as if the string went on
            tok = self.emit(LIT, 1)
            self.diagnostics.append(
                error(
                    "Invalid multi-line string",
                    "Quoted strings may not be split over multiple lines. To produce a multi-line string, "
                    'either use the \\n escape to represent a newline character or use the "heredoc" '
                    "multi-line template syntax.",
                    tok.range,
                )
            )
            return True
        if not self.scan_template_seq():
            end = self.literal_end('"\n', backslash=True)
            self.emit(LIT, max(end - i, 1))
        return True

    def scan_heredoc(self, mode: list[object]) -> bool:
        src, i = self.src, self.i
        if i >= len(src):
            return False
        if mode[2] and mode[1] is not None:
            eol = src.find("\n", i)
            line = src[i : eol if eol >= 0 else len(src)].rstrip("\r")
            if eol >= 0 and line.strip() == mode[1]:  # hclsyntax: a marker ends its line
                self.emit(CHEREDOC, eol - i)
                self.modes.pop()
                return True
            mode[2] = False
        if self.scan_template_seq():
            return True
        end = self.literal_end("\n", backslash=False)
        if end < len(src) and src[end] == "\n":
            end += 1
            mode[2] = True
        self.emit(LIT, max(end - i, 1))
        return True


def scan(src: str, filename: str, start: Pos | None = None) -> tuple[list[Token], list[HclDiagnostic]]:
    """Tokens of ``src`` and diagnostics for characters HCL does not use (those become INVALID tokens)."""
    scanner = _Scanner(src, filename, start or Pos(1, 1, 0))
    return scanner.run(), scanner.diagnostics


def scan_template(
    src: str, filename: str, start: Pos | None = None
) -> tuple[list[Token], list[HclDiagnostic]]:
    """Tokens of a bare template (no quotes or heredoc markers around it)."""
    scanner = _Scanner(src, filename, start or Pos(1, 1, 0))
    scanner.modes = [["heredoc", None, True]]
    return scanner.run(), scanner.diagnostics
