"""hclsyntax's token stream as hclwrite sees it: every byte of the source in a token, comments included.

kiln's parser lexer (``kiln.hcl.lexer``) drops comments and folds punctuation into one kind; the
formatter needs what ``hclsyntax.LexConfig`` produces, token for token: comment tokens (a ``#`` or
``//`` comment owns its line end, a ``/* */`` comment does not), a heredoc's closing marker with its
leading blanks inside the token, template literals split at every ``$`` and ``%`` as its scanner
splits them, and the count of blanks (spaces and tabs) skipped before each token. This module scans
that stream; ``layout`` applies hclwrite's rules to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Token kinds, named as hclsyntax names them (TokenOBrace is "OBrace", ...).
OBRACE, CBRACE, OBRACK, CBRACK, OPAREN, CPAREN = "OBrace", "CBrace", "OBrack", "CBrack", "OParen", "CParen"
OQUOTE, CQUOTE, OHEREDOC, CHEREDOC = "OQuote", "CQuote", "OHeredoc", "CHeredoc"
INTERP, CONTROL, SEQ_END = "TemplateInterp", "TemplateControl", "TemplateSeqEnd"
QUOTED_LIT, STRING_LIT, NUMBER, IDENT = "QuotedLit", "StringLit", "NumberLit", "Ident"
COMMENT, NEWLINE, EOF = "Comment", "Newline", "EOF"
MINUS, PLUS, STAR, SLASH, PERCENT = "Minus", "Plus", "Star", "Slash", "Percent"
EQUAL, EQUAL_OP, NOT_EQUAL = "Equal", "EqualOp", "NotEqual"
LT, LE, GT, GE, AND, OR, BANG = "LessThan", "LessThanEq", "GreaterThan", "GreaterThanEq", "And", "Or", "Bang"
DOT, COMMA, ELLIPSIS, FAT_ARROW, QUESTION, COLON = "Dot", "Comma", "Ellipsis", "FatArrow", "Question", "Colon"
QUOTED_NEWLINE, INVALID, BAD_UTF8 = "QuotedNewline", "Invalid", "BadUTF8"

_SELF = {
    "[": OBRACK, "]": CBRACK, "(": OPAREN, ")": CPAREN, ".": DOT, ",": COMMA, "*": STAR, "/": SLASH,
    "%": PERCENT, "+": PLUS, "-": MINUS, "=": EQUAL, "<": LT, ">": GT, "!": BANG, "?": QUESTION, ":": COLON,
    "\n": NEWLINE, "&": "BitwiseAnd", "|": "BitwiseOr", "~": "BitwiseNot", "^": "BitwiseXor", ";": "Semicolon",
    "`": "Backtick", "'": "Apostrophe",
}
_PAIRS = {"==": EQUAL_OP, "!=": NOT_EQUAL, ">=": GE, "<=": LE, "&&": AND, "||": OR, "=>": FAT_ARROW, "...": ELLIPSIS}

# Expression mode's multi-character tokens, tried in one match; the group says which kind it is. An
# unterminated "/*" is no comment (hclsyntax then reads "/" and "*"), "<<" not followed by a marker
# and a line end is two "<".
_MAIN = re.compile(
    r"(?P<blank>[ \t]+)"
    r"|(?P<NumberLit>[0-9](?:(?:[0-9.]|[eE][+-]?[0-9])*(?:[0-9]|[eE][+-]?[0-9]))?)"
    r"|(?P<Ident>[A-Za-z_][A-Za-z0-9_-]*)"
    r"|(?P<Comment>(?:#|//)[^\n]*\n?|/\*.*?\*/)"
    r"|(?P<Newline>\r?\n)"
    r"|(?P<op>\.\.\.|==|!=|>=|<=|&&|\|\||=>)"
    r"|(?P<heredoc><<-?(?:[^\W\d]|_)[\w-]*\r?\n)",
    re.S,
)
# a quoted literal: escapes (a backslash and any character but a line end) and plain characters
_QUOTED_RUN = re.compile(r'(?:\\[^\r\n]|[^$%"\\\r\n])+')
_HEREDOC_RUN = re.compile(r"[^$%\r\n]*")


@dataclass
class Token:
    kind: str
    text: str
    spaces: int  # blanks before it in the source; hclwrite's SpacesBefore, rewritten by the layout


def _ident_end(src: str, i: int) -> int:
    """End of an identifier at ``i`` ((ID_Start | '_') (ID_Continue | '-')*), or ``i`` if none starts there."""
    c = src[i]
    if not (c == "_" or c.isidentifier()):
        return i
    j = i + 1
    n = len(src)
    while j < n:
        c = src[j]
        if c == "-" or ("a" + c).isidentifier():
            j += 1
        else:
            break
    return j


def _is_bad(c: str) -> bool:
    return "\udc80" <= c <= "\udcff"  # a byte that is not UTF-8, kept by the surrogateescape decoding


class _Scanner:
    def __init__(self, src: str) -> None:
        self.src = src
        self.i = 0
        self.last = 0  # end of the previous token
        self.tokens: list[Token] = []
        self.braces = 0
        self.ret_braces: list[int] = []
        self.heredocs: list[list[object]] = []  # [marker, at start of line]
        self.modes: list[str] = ["main"]

    def emit(self, kind: str, end: int) -> None:
        self.tokens.append(Token(kind, self.src[self.i : end], self.i - self.last))
        self.i = self.last = end

    def run(self) -> list[Token]:
        n = len(self.src)
        while self.i < n:
            mode = self.modes[-1]
            if mode == "main":
                self.main()
            elif mode == "quote":
                self.quoted()
            else:
                self.heredoc()
        self.tokens.append(Token(EOF, "", self.i - self.last))
        return self.tokens

    def template_start(self) -> bool:
        src, i = self.src, self.i
        if src.startswith(("${", "%{"), i):
            end = i + 3 if src.startswith("~", i + 2) else i + 2
            self.emit(INTERP if src[i] == "$" else CONTROL, end)
            self.braces += 1
            self.ret_braces.append(self.braces)
            if self.heredocs:
                self.heredocs[-1][1] = False
            self.modes.append("main")
            return True
        return False

    def main(self) -> None:
        src, i = self.src, self.i
        m = _MAIN.match(src, i)
        if m:
            kind, end = m.lastgroup, m.end()
            if kind == "blank":
                self.i = end
            elif kind == IDENT:
                if end < len(src) and not src[end].isascii():
                    end = _ident_end(src, i)  # it goes on with letters or marks beyond ASCII
                self.emit(IDENT, end)
            elif kind == "op":
                self.emit(_PAIRS[m.group()], end)
            elif kind == "heredoc":
                marker = src[i + 2 : end].lstrip("-").rstrip("\r\n")
                self.emit(OHEREDOC, end)
                self.heredocs.append([marker, True])
                self.modes.append("heredoc")
            else:
                self.emit(str(kind), end)  # NumberLit, Comment, Newline
            return
        c = src[i]
        two = src[i : i + 2]
        if c == "{":
            self.emit(OBRACE, i + 1)
            self.braces += 1
            return
        if c == "}" or two == "~}":
            closes = self.ret_braces and self.ret_braces[-1] == self.braces
            self.emit(SEQ_END if closes or c == "~" else CBRACE, i + len(two if c == "~" else c))
            self.braces -= 1
            if closes:
                self.ret_braces.pop()
                self.modes.pop()
            return
        if c == '"':
            self.emit(OQUOTE, i + 1)
            self.modes.append("quote")
            return
        if c in _SELF:
            self.emit(_SELF[c], i + 1)
            return
        end = _ident_end(src, i)
        if end > i:
            self.emit(IDENT, end)
            return
        self.emit(BAD_UTF8 if _is_bad(c) else INVALID, i + 1)

    def quoted(self) -> None:
        src, i = self.src, self.i
        if self.template_start():
            return
        c = src[i]
        if c == '"':
            self.emit(CQUOTE, i + 1)
            self.modes.pop()
            return
        if c in "$%":  # "$" alone (not before "{"), or the "$${" escape
            self.emit(QUOTED_LIT, i + 3 if src.startswith(c + "{", i + 1) else i + 1)
            return
        if c in "\r\n":
            j = i
            while j < len(src) and src[j] in "\r\n":
                j += 1
            self.emit(QUOTED_NEWLINE, j)
            return
        m = _QUOTED_RUN.match(src, i)
        if m:
            self.emit(QUOTED_LIT, m.end())
            return
        self.emit(BAD_UTF8 if _is_bad(c) else INVALID, i + 1)

    def heredoc(self) -> None:
        src, i = self.src, self.i
        if self.template_start():
            return
        doc = self.heredocs[-1]
        c = src[i]
        if c in "$%":
            end = i + 3 if src.startswith(c + "{", i + 1) else i + 1
        else:
            m = _HEREDOC_RUN.match(src, i)
            assert m is not None
            end = m.end()
        eol = 2 if src.startswith("\r\n", end) else 1 if src.startswith("\n", end) else 0
        if not eol:
            if end == i:  # a lone "\r"
                end = i + 1
            doc[1] = False
            self.emit(STRING_LIT, end)
            return
        if doc[1] and src[i:end].strip() == doc[0]:
            self.emit(CHEREDOC, end)
            self.emit(NEWLINE, end + eol)
            self.heredocs.pop()
            self.modes.pop()
            return
        doc[1] = True
        self.emit(STRING_LIT, end + eol)


def scan(src: str) -> list[Token]:
    """The tokens of ``src`` (a UTF-8 BOM is dropped, as hclsyntax drops it), ending with EOF."""
    bom = src.startswith("\ufeff")
    tokens = _Scanner(src[1:] if bom else src).run()
    if bom:  # its three bytes count as blanks before the first token
        tokens[0].spaces += 3
    return tokens
