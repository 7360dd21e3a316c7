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
from kiln.hcl.diagnostics import DiagnosticError, error
from kiln.hcl.lexer import IDENT, Token
from kiln.hcl.syntax import Expr, Literal, Range, TemplateExpr, TemplateFor, TemplateIf, TemplateWrap
from kiln.hcl.values import string

if TYPE_CHECKING:
    from kiln.hcl.parse import Parser

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
    opener = p.raw_peek()
    if end_kind != lexer.EOF:
        p.read()
    parts: list[_Part] = []
    trim_next = False
    while True:
        tok = p.raw_peek()
        if tok.kind == end_kind:
            if end_kind != lexer.EOF:
                p.read()
            break
        if tok.kind == lexer.EOF:
            raise DiagnosticError(
                [
                    error(
                        "Unterminated template string",
                        "No closing marker was found for the string.",
                        opener.range,
                    )
                ]
            )
        p.read()
        if tok.kind == lexer.LIT:
            text = _unescape(tok, quoted)
            if trim_next:
                text = text.lstrip()
                trim_next = False
            parts.append(_Part("lit", tok.range, text))
            continue
        trim_next = False
        if tok.text.endswith("~") and parts and parts[-1].kind == "lit":
            parts[-1].text = parts[-1].text.rstrip()
        p.newlines.append(False)
        part = _interpolation(p, tok) if tok.kind == lexer.INTERP else _directive(p, tok)
        close = p.peek()
        if close.kind != lexer.SEQ_END:
            what = "interpolation expression" if tok.kind == lexer.INTERP else "template directive"
            raise p.fail(
                f"Extra characters after {what}",
                f"Expected a closing brace to end the {what}, but found extra characters.",
                close,
            )
        p.read()
        p.newlines.pop()
        trim_next = close.text.startswith("~")
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
    body, index, stop = _sequence(parts, 0, ())
    if stop is not None:  # pragma: no cover - _sequence with no stops consumes everything
        raise _unexpected(stop)
    return TemplateExpr(tuple(body), rng)


def _interpolation(p: Parser, tok: Token) -> _Part:
    expr = p.expression()
    return _Part("interp", tok.range.to(expr.range), expr=expr)


def _directive(p: Parser, tok: Token) -> _Part:
    kw = p.read()
    if kw.kind != IDENT or kw.text not in ("if", "else", "endif", "for", "endfor"):
        raise p.fail(
            "Invalid template directive",
            'A template directive keyword ("if", "for", etc) is expected at the beginning of a %{ sequence.',
            kw,
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


def _unescape(tok: Token, quoted: bool) -> str:
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
                    out.append(chr(int(hexdigits, 16)))
                    i += 2 + width
                    continue
                raise _escape_error(
                    tok,
                    i,
                    "Invalid escape sequence",
                    f'The symbol "{sel}" must be followed by {width} hexadecimal digits.',
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


def _unexpected(part: _Part) -> DiagnosticError:
    opener = {"else": "if", "endif": "if", "endfor": "for"}.get(part.kind, part.kind)
    return DiagnosticError(
        [
            error(
                f"Unexpected {part.kind} directive",
                f'The control flow directive "{part.kind}" has no matching "{opener}" directive.',
                part.range,
            )
        ]
    )


def _sequence(parts: list[_Part], i: int, stops: tuple[str, ...]) -> tuple[list[Expr], int, _Part | None]:
    out: list[Expr] = []
    while i < len(parts):
        part = parts[i]
        if part.kind in stops:
            return out, i, part
        if part.kind == "lit":
            out.append(Literal(string(part.text), part.range))
            i += 1
        elif part.kind == "interp":
            assert part.expr is not None
            out.append(part.expr)
            i += 1
        elif part.kind == "if":
            assert part.expr is not None
            true_body, i, stop = _sequence(parts, i + 1, ("else", "endif"))
            false_body: list[Expr] | None = None
            if stop is not None and stop.kind == "else":
                false_body, i, stop = _sequence(parts, i + 1, ("endif",))
            if stop is None:
                raise _unclosed(part, "if", "endif")
            rng = part.range.to(stop.range)
            true_t = TemplateExpr(tuple(true_body), rng)
            false_t = TemplateExpr(tuple(false_body), rng) if false_body is not None else None
            out.append(TemplateIf(part.expr, true_t, false_t, rng))
            i += 1
        elif part.kind == "for":
            assert part.expr is not None
            body, i, stop = _sequence(parts, i + 1, ("endfor",))
            if stop is None:
                raise _unclosed(part, "for", "endfor")
            rng = part.range.to(stop.range)
            out.append(
                TemplateFor(part.names[0], part.names[1], part.expr, TemplateExpr(tuple(body), rng), rng)
            )
            i += 1
        else:
            raise _unexpected(part)
    return out, i, None


def _unclosed(part: _Part, kw: str, closer: str) -> DiagnosticError:
    return DiagnosticError(
        [
            error(
                f"Unterminated template {kw} directive",
                f'There is no matching "{closer}" directive for this "{kw}".',
                part.range,
            )
        ]
    )
