"""Parsing of string templates: quoted strings, heredocs and bare templates.

Follows hclsyntax's ``parseTemplateParts``: escapes are decoded (``\\n``, ``\\uXXXX``, ``$${``, ``%%{``),
strip markers trim the whitespace of the neighbouring literal (``${~`` the one before, ``~}`` the one
after), ``<<-`` heredocs lose the indentation common to their lines, then ``%{if}`` / ``%{for}``
directives are nested into ``TemplateIf`` / ``TemplateFor`` nodes. A template that is exactly one
interpolation becomes a ``TemplateWrap`` (its value is not converted to a string).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kiln.hcl import lexer
from kiln.hcl.diagnostics import DiagnosticError, HclDiagnostic, error
from kiln.hcl.lexer import IDENT, Token
from kiln.hcl.syntax import Expr, Literal, Range, TemplateExpr, TemplateFor, TemplateIf, TemplateWrap
from kiln.hcl.values import string

if TYPE_CHECKING:  # for annotations only: exprparser imports this module to parse its part of the grammar
    from kiln.hcl.exprparser import ExprParser as Parser

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


@dataclass
class _Part:
    kind: str  # "lit" | "interp" | "if" | "else" | "endif" | "for" | "endfor"
    range: Range
    text: str = ""
    expr: Expr | None = None
    names: tuple[str | None, str] = (None, "")
    extras: dict[str, object] = field(default_factory=dict)


def parse_template_tokens(p: Parser, end_kind: str, flush: bool) -> Expr:
    """Parse a template whose opener (if any) is ``p.peek()``, up to and including ``end_kind``."""
    quoted = end_kind == lexer.CQUOTE
    opener = p.peek() if end_kind != lexer.EOF else p.raw_peek()  # peek skips ignored newlines
    if end_kind != lexer.EOF:
        p.read()
    parts: list[_Part] = []
    diags: list[HclDiagnostic] = []
    trim_next = False
    while True:
        tok = p.raw_peek()
        if tok.kind == end_kind:
            if end_kind != lexer.EOF:
                p.read()
            break
        if tok.kind == lexer.EOF:
            if diags:  # already recovering from an error: HCL reports nothing more
                raise DiagnosticError(diags)
            raise DiagnosticError(
                [
                    error(  # HCL points a quoted string's error at its quote, a heredoc's at the end
                        "Unterminated template string",
                        "No closing marker was found for the string.",
                        opener.range if quoted else tok.range,
                        (opener.range if quoted else p.tokens[p.tokens.index(opener) + 1].range).to(
                            tok.range
                        ),
                    )
                ]
            )
        p.read()
        if tok.kind == lexer.LIT:
            text = unescape(tok, quoted)
            if trim_next:
                text = text.lstrip()
                trim_next = False
            parts.append(_Part("lit", tok.range, text))
            continue
        trim_next = False
        if tok.text.endswith("~") and parts and parts[-1].kind == "lit":
            parts[-1].text = parts[-1].text.rstrip()
        p.newlines.append(False)
        try:
            part = _interpolation(p, tok) if tok.kind == lexer.INTERP else _directive(p, tok)
            close = p.peek()
            if close.kind != lexer.SEQ_END and tok.kind == lexer.INTERP:
                raise p.fail(
                    "Extra characters after interpolation expression",
                    "Expected a closing brace to end the interpolation expression, but found extra characters.",
                    close,
                )
        except DiagnosticError as err:
            # hclsyntax records the error, skips to the end of the sequence and carries on; an ``if``
            # whose condition failed still counts, so its missing ``endif`` is reported too.
            if not diags:
                diags.extend(err.diagnostics)
            close = _recover(p)
            p.newlines.pop()
            if _keyword(p, tok) == "if":
                parts.append(_Part("if", tok.range.to(close.range), expr=Literal(string(""), tok.range)))
            trim_next = close.text.startswith("~")
            continue
        if close.kind != lexer.SEQ_END:  # a directive with more after it still counts as that directive
            if not diags:
                diags.append(
                    error(
                        f"Extra characters in {part.kind} marker",
                        "Expected a closing brace to end the sequence, but found extra characters.",
                        close.range,
                    )
                )
            close = _recover(p)
            p.i -= 1 if close.kind == lexer.SEQ_END else 0
        p.read()
        p.newlines.pop()
        trim_next = close.text.startswith("~")
        if part.kind != "interp":
            part.range = tok.range.to(close.range)
        parts.append(part)
    end = p.tokens[p.i - 1].range if end_kind != lexer.EOF else p.raw_peek().range
    rng = (
        opener.range.to(end)
        if end_kind != lexer.EOF
        else Range(opener.range.filename, opener.range.start, end.end)
    )
    if flush:
        _flush_heredoc(parts)
    if len(parts) == 1 and parts[0].kind == "interp" and parts[0].expr is not None:
        return TemplateWrap(parts[0].expr, rng)
    builder = _Builder(parts, p.tokens[p.i - 1].range if end_kind != lexer.EOF else end)
    body = builder.root()
    if diags or builder.diagnostics:
        raise DiagnosticError(diags + builder.diagnostics)
    return TemplateExpr(tuple(body), rng)


def _recover(p: Parser) -> Token:
    """Skip to the ``}`` that closes the current sequence (nested sequences included); return it."""
    depth = 0
    while True:
        tok = p.raw_peek()
        if tok.kind == lexer.EOF:
            return tok
        p.i += 1
        if tok.kind in (lexer.INTERP, lexer.CONTROL):
            depth += 1
        elif tok.kind == lexer.SEQ_END:
            if depth == 0:
                return tok
            depth -= 1


def _keyword(p: Parser, opener: Token) -> str:
    """The directive keyword right after ``opener`` (``%{``), or ''."""
    i = p.tokens.index(opener)
    nxt = p.tokens[i + 1] if i + 1 < len(p.tokens) else opener
    return nxt.text if opener.kind == lexer.CONTROL and nxt.kind == IDENT else ""


def _interpolation(p: Parser, tok: Token) -> _Part:
    expr = p.expression()
    return _Part("interp", tok.range.to(expr.range), expr=expr)


def _directive(p: Parser, tok: Token) -> _Part:
    kw = p.read()
    if kw.kind != IDENT:
        raise p.fail(
            "Invalid template directive",
            'A template directive keyword ("if", "for", etc) is expected at the beginning of a %{ sequence.',
            kw,
        )
    if kw.text not in ("if", "else", "endif", "for", "endfor"):
        raise p.fail(
            "Invalid template control keyword", f'"{kw.text}" is not a valid template control keyword.', kw
        )
    if kw.text == "if":
        return _Part("if", tok.range.to(kw.range), expr=p.expression())
    if kw.text != "for":
        return _Part(kw.text, tok.range.to(kw.range))
    first = p.read()
    if first.kind != IDENT:
        raise p.fail("Invalid 'for' directive", "For directive requires variable name after 'for'.", first)
    names: tuple[str | None, str] = (None, first.text)
    if p.is_punct(p.peek(), ","):
        p.read()
        second = p.read()
        if second.kind != IDENT:
            raise p.fail(
                "Invalid 'for' directive", "For directive requires value variable name after comma.", second
            )
        names = (first.text, second.text)
    in_tok = p.read()
    if in_tok.kind != IDENT or in_tok.text != "in":
        raise p.fail("Invalid 'for' directive", "For directive requires 'in' keyword after names.", in_tok)
    return _Part("for", tok.range.to(in_tok.range), expr=p.expression(), names=names)


def unescape(tok: Token, quoted: bool) -> str:
    """A literal token's text with HCL's escapes decoded (backslash escapes only in quoted strings)."""
    s = tok.text
    out: list[str] = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and quoted:
            sel = s[i + 1 : i + 2]
            if sel in _ESCAPES:
                out.append(_ESCAPES[sel])
                i += 2
                continue
            if sel in ("u", "U"):
                width = 4 if sel == "u" else 8
                hexdigits = s[i + 2 : i + 2 + width]
                if len(hexdigits) == width and all(h in "0123456789abcdefABCDEF" for h in hexdigits):
                    point = int(hexdigits, 16)
                    if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF:  # as hclsyntax: no UTF-8 for it
                        raise _escape_error(tok, i, "Invalid escape sequence",
                                            f"Cannot encode character U+{point:04x} in UTF-8.")
                    out.append(chr(point))
                    i += 2 + width
                    continue
                count = "four" if sel == "u" else "eight"
                raise _escape_error(
                    tok,
                    i,
                    "Invalid escape sequence",
                    f"The \\{sel} escape sequence must be followed by {count} hexadecimal digits.",
                )
            raise _escape_error(
                tok,
                i,
                "Invalid escape sequence",
                f'The symbol "{sel}" is not a valid escape sequence selector.',
            )
        if c in "$%" and s.startswith(c + "{", i + 1):
            out.append(c + "{")
            i += 3
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _escape_error(tok: Token, offset: int, summary: str, detail: str) -> DiagnosticError:
    start = tok.range.start
    s = type(start)(start.line, start.column + offset, start.byte + offset)
    e = type(start)(start.line, start.column + offset + 2, start.byte + offset + 2)
    return DiagnosticError([error(summary, detail, Range(tok.range.filename, s, e))])


def _flush_heredoc(parts: list[_Part]) -> None:
    """Remove the indentation shared by every line of a ``<<-`` heredoc (blank lines don't count)."""
    min_spaces: int | None = None
    adjust: list[_Part] = []
    newline = True
    for part in parts:
        if newline:
            newline = False
            if part.kind == "lit":
                stripped = part.text.lstrip()
                if not stripped and part.text.endswith("\n"):
                    spaces = None
                else:
                    spaces = len(part.text) - len(stripped)
                    adjust.append(part)
            else:
                spaces = 0
            if spaces is not None and (min_spaces is None or spaces < min_spaces):
                min_spaces = spaces
        if part.kind == "lit" and part.text.endswith("\n"):
            newline = True
    for part in adjust:
        part.text = part.text[min_spaces or 0 :]


_UNBALANCED = "The control directives within this template are unbalanced."


class _Builder:
    """Nests ``%{if}``/``%{for}`` parts, collecting hclsyntax's diagnostics for unbalanced directives."""

    def __init__(self, parts: list[_Part], end: Range) -> None:
        self.parts = parts
        self.i = 0
        self.end = end
        self.diagnostics: list[HclDiagnostic] = []

    def peek(self) -> _Part | None:
        return self.parts[self.i] if self.i < len(self.parts) else None

    def fail(self, summary: str, detail: str, rng: Range) -> Expr:
        self.diagnostics.append(error(summary, detail, rng))
        return Literal(string(""), rng)

    def root(self) -> list[Expr]:
        out: list[Expr] = []
        while self.peek() is not None:
            out.append(self.expr())
        return out

    def expr(self) -> Expr:
        part = self.parts[self.i]
        self.i += 1
        if part.kind == "lit":
            return Literal(string(part.text), part.range)
        if part.kind == "interp":
            assert part.expr is not None
            return part.expr
        if part.kind in ("if", "for"):
            return self.block(part)
        return self.fail(f"Unexpected {part.kind} directive", _UNBALANCED, part.range)

    def block(self, open_part: _Part) -> Expr:
        kw = open_part.kind
        closer = "endif" if kw == "if" else "endfor"
        bodies: list[list[Expr]] = [[]]
        while True:
            nxt = self.peek()
            if nxt is None:
                return self.fail(
                    "Unexpected end of template",
                    f"The {kw} directive at {open_part.range} is missing its corresponding {closer} directive.",
                    self.end,
                )
            if nxt.kind in ("else", "endif", "endfor"):
                self.i += 1
                if nxt.kind == closer:
                    break
                if nxt.kind == "else" and kw == "if" and len(bodies) == 1:
                    bodies.append([])
                    continue
                if nxt.kind == "else" and kw == "if":
                    detail = f"Already in the else clause for the if started at {open_part.range}."
                elif kw == "if":
                    detail = f"Expecting an endif directive for the if started at {open_part.range}."
                else:
                    detail = f"Expecting an endfor directive corresponding to the for directive at {open_part.range}."
                return self.fail(f"Unexpected {nxt.kind} directive", detail, nxt.range)
            bodies[-1].append(self.expr())
        rng = open_part.range.to(nxt.range)
        assert open_part.expr is not None
        first = TemplateExpr(tuple(bodies[0]), rng)
        if kw == "if":
            second = TemplateExpr(tuple(bodies[1]), rng) if len(bodies) > 1 else None
            return TemplateIf(open_part.expr, first, second, rng)
        return TemplateFor(open_part.names[0], open_part.names[1], open_part.expr, first, rng)
