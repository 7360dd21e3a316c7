"""HCL2 native syntax parser: source text -> ``syntax.Body`` / ``syntax.Expr``, as hclsyntax parses.

A recursive-descent parser over ``lexer`` tokens that follows hclsyntax's grammar and error messages
(newlines end arguments but are ignored inside brackets and parentheses; unary operators bind tighter
than any binary operator; ``a ? b : c`` is right-associative). python-hcl2's Lark grammar accepts
inputs HCL rejects (``a = 1\\n+ 2``) and rejects some it accepts (``!!x``, ``- -1``), so kiln reads
the native syntax itself; errors are ``DiagnosticError``s with file:line:col ranges.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from kiln.hcl import lexer
from kiln.hcl.diagnostics import DiagnosticError, HclDiagnostic, error
from kiln.hcl.exprparser import ExprParser
from kiln.hcl.format import go_quote
from kiln.hcl.lexer import EOF, IDENT, NEWLINE, Token
from kiln.hcl.syntax import Attribute, Block, Body, Expr, Pos, Range
from kiln.hcl.templates import parse_template_tokens, unescape

__all__ = ["Parser", "parse_body", "parse_expression", "parse_template"]

T = TypeVar("T")


def quoted_literal(tokens: list[Token], i: int) -> tuple[str, list[HclDiagnostic], int]:
    """The text of a quoted literal whose first token is ``tokens[i]``, diagnostics for template
    sequences in it (written ``${ ... }`` in the text, as HCL does), and the index after its end."""

    out: list[str] = []
    diags: list[HclDiagnostic] = []
    while i < len(tokens) and tokens[i].kind not in (lexer.CQUOTE, EOF):
        tok = tokens[i]
        i += 1
        if tok.kind == lexer.LIT:
            out.append(unescape(tok, quoted=True))
            continue
        sign = tok.text[0]
        out.append(sign + "{ ... }")
        diags.append(
            error(
                "Invalid string literal",
                f'Template sequences are not allowed in this string. To include a literal "{sign}", double it '
                f'(as "{sign}{sign}") to escape it.',
                tok.range,
            )
        )
        depth = 0
        while i < len(tokens) and tokens[i].kind != EOF:
            t = tokens[i]
            i += 1
            if t.kind in (lexer.INTERP, lexer.CONTROL):
                depth += 1
            elif t.kind == lexer.SEQ_END:
                if depth == 0:
                    break
                depth -= 1
    if i < len(tokens) and tokens[i].kind == lexer.CQUOTE:
        i += 1
    return "".join(out), diags, i


def _run(scanned: tuple[list[Token], list[HclDiagnostic]], filename: str, what: Callable[[Parser], T]) -> T:
    """Parse with ``what``; the scanner's diagnostics come first, then the parser's (as hclsyntax)."""
    tokens, lex_diags = scanned
    try:
        result = what(Parser(tokens, filename))
    except DiagnosticError as err:
        raise DiagnosticError(lex_diags + err.diagnostics) from None
    if lex_diags:
        raise DiagnosticError(lex_diags)
    return result


def parse_body(src: str, filename: str) -> Body:
    """Parse a whole ``.pkr.hcl`` file. Raises ``DiagnosticError``."""
    return _run(lexer.scan(src, filename), filename, lambda p: p.body(top=True))


def parse_expression(src: str, filename: str = "<expr>", start: Pos | None = None) -> Expr:
    """Parse one expression (newlines are insignificant), as ``packer console`` does."""

    def whole(p: Parser) -> Expr:
        p.newlines.append(False)
        expr = p.expression()
        nxt = p.peek()
        if nxt.kind != EOF:
            raise p.fail(
                "Extra characters after expression",
                "An expression was successfully parsed, but extra characters were found after it.",
                nxt,
            )
        return expr

    return _run(lexer.scan(src, filename, start), filename, whole)


def parse_template(src: str, filename: str = "<template>", start: Pos | None = None) -> Expr:
    """Parse a bare template (the contents of a ``templatefile`` file)."""

    return _run(
        lexer.scan_template(src, filename, start),
        filename,
        lambda p: parse_template_tokens(p, end_kind=EOF, flush=False),
    )


class Parser(ExprParser):
    """Bodies (arguments and blocks) on top of the expression parser."""

    # -- bodies --------------------------------------------------------------------------------------
    def body(self, top: bool) -> Body:
        attrs: list[Attribute] = []
        blocks: list[Block] = []
        start = self.peek().range
        seen: dict[str, Attribute] = {}
        while True:
            tok = self.peek()
            if tok.kind == NEWLINE:
                self.read()
                continue
            if tok.kind == EOF and top or self.is_punct(tok, "}") and not top:
                break
            if tok.kind == EOF:
                raise self.fail(
                    "Argument or block definition required",
                    "An argument or block definition is required here.",
                    tok,
                )
            item = self.body_item()
            if isinstance(item, Attribute):
                if item.name in seen:
                    prev = seen[item.name].name_range
                    raise self.fail(
                        "Attribute redefined",
                        f'The argument "{item.name}" was already set at {prev}. Each argument may be set only once.',
                        item.name_range,
                    )
                seen[item.name] = item
                attrs.append(item)
            else:
                blocks.append(item)
        end = self.peek().range
        return Body(tuple(attrs), tuple(blocks), start.to(end), end)

    def body_item(self) -> Attribute | Block:
        name = self.read()
        if name.kind != IDENT:
            detail = "An argument or block definition is required here."
            if name.kind == lexer.OQUOTE:
                raise self.fail("Invalid argument name", "Argument names must not be quoted.", name)
            raise self.fail("Argument or block definition required", detail, name)
        nxt = self.peek()
        if self.is_punct(nxt, "="):
            self.read()
            expr = self.expression()
            end = self.peek()
            if end.kind not in (NEWLINE, EOF):
                summary, detail = (
                    "Missing newline after argument",
                    "An argument definition must end with a newline.",
                )
                if self.is_punct(end, ","):
                    summary = "Unexpected comma after argument"
                    detail = "Argument definitions must be separated by newlines, not commas. " + detail
                raise self.fail(summary, detail, end, name.range.to(end.range))
            return Attribute(name.text, expr, name.range.to(expr.range), name.range)
        if nxt.kind in (IDENT, lexer.OQUOTE) or self.is_punct(nxt, "{"):
            return self.block(name)
        raise self.fail(
            "Argument or block definition required",
            "An argument or block definition is required here. To set an argument, use the equals sign "
            '"=" to introduce the argument value.',
            nxt,
        )

    def block(self, type_tok: Token) -> Block:
        labels: list[str] = []
        label_ranges: list[Range] = []
        while True:
            tok = self.peek()
            if tok.kind == IDENT:
                self.read()
                labels.append(tok.text)
                label_ranges.append(tok.range)
            elif tok.kind == lexer.OQUOTE:
                value, rng = self.label_string(type_tok)
                labels.append(value)
                label_ranges.append(rng)
            elif self.is_punct(tok, "{"):
                break
            elif self.is_punct(tok, "="):
                raise self.fail(
                    "Invalid block definition",
                    'The equals sign "=" indicates an argument definition, and must not be used when defining '
                    "a block.",
                    tok,
                    type_tok.range.to(tok.range),
                )
            else:
                raise self.fail(
                    "Invalid block definition",
                    'Either a quoted string block label or an opening brace ("{") is expected here.',
                    tok,
                    type_tok.range.to(tok.range),
                )
        open_brace = self.read()
        if self.raw_peek().kind == NEWLINE or self.is_punct(self.raw_peek(), "}"):
            body = self.body(top=False)
        else:  # single-line block: at most one argument
            item = self.single_line_item()
            body = Body((item,), (), item.range, self.raw_peek().range)
        close = self.peek()
        if not self.is_punct(close, "}"):
            raise self.fail(
                "Unclosed configuration block",
                "There is no closing brace for this block before the end of the file.",
                open_brace,
            )
        self.read()
        after = self.raw_peek()
        if after.kind not in (NEWLINE, EOF):
            raise self.fail(
                "Missing newline after block definition", "A block definition must end with a newline.", after
            )
        rng = type_tok.range.to(close.range)
        return Block(
            type_tok.text,
            tuple(labels),
            body,
            rng,
            type_tok.range,
            tuple(label_ranges),
            open_brace.range,
            close.range,
        )

    def single_line_item(self) -> Attribute:
        """hclsyntax's ``parseSingleAttrBody``: one argument, then the closing brace on the same line."""
        name = self.read()
        if name.kind != IDENT:
            raise self.fail(
                "Argument or block definition required", "An argument or block definition is required here.", name
            )
        nxt = self.peek()
        if not self.is_punct(nxt, "="):
            if nxt.kind in (IDENT, lexer.OQUOTE) or self.is_punct(nxt, "{"):
                raise self.fail(
                    "Argument definition required",
                    "A single-line block definition can contain only a single argument. If you meant to define "
                    f"argument {go_quote(name.text)}, use an equals sign to assign it a value. To define a nested "
                    "block, place it on a line of its own within its parent block.",
                    name.range.to(nxt.range),
                )
            raise self.fail(
                "Argument or block definition required",
                "An argument or block definition is required here. To set an argument, use the equals sign "
                '"=" to introduce the argument value.',
                name,
            )
        self.read()
        expr = self.expression()
        after = self.raw_peek()
        if after.kind == EOF:
            raise self.fail(
                "Unclosed configuration block",
                "There is no closing brace for this block before the end of the file. This may be caused by "
                "incorrect brace nesting elsewhere in this file.",
                after,
            )
        if not self.is_punct(after, "}"):
            if self.is_punct(after, ","):
                detail = ("Single-line block syntax can include only one argument definition. To define multiple "
                          "arguments, use the multi-line block syntax with one argument definition per line.")
            elif after.kind == NEWLINE:
                detail = ("An argument definition on the same line as its containing block creates a single-line "
                          "block definition, which must also be closed on the same line. Place the block's closing "
                          "brace immediately after the argument definition.")
            else:
                detail = ("A single-line block definition must end with a closing brace immediately after its "
                          "single argument definition.")
            raise self.fail("Invalid single-argument block definition", detail, after)
        return Attribute(name.text, expr, name.range.to(expr.range), name.range)

    def label_string(self, type_tok: Token) -> tuple[str, Range]:
        """A quoted block label: a plain string, no ``${}``/``%{}`` sequences (hclsyntax's
        ``parseQuotedStringLiteral``: it reports each sequence, stops at a line end inside the quotes,
        and at the end of the file, where the block then lacks its brace)."""
        open_tok = self.read()
        text, diags, end = quoted_literal(self.tokens, self.i)
        newline = next((j for j in range(self.i, end) if self.tokens[j].kind == lexer.LIT
                        and self.tokens[j].text == "\n"), None)
        if newline is not None:
            tok = self.tokens[newline]
            diags = [d for d in diags if d.range is not None and d.range.start.byte < tok.range.start.byte]
            raise DiagnosticError([*diags, error("Invalid string literal", "This item is not valid in a string literal.",
                                                 tok.range, open_tok.range.to(tok.range))])
        self.i = end
        close = self.tokens[end - 1]
        if close.kind != lexer.CQUOTE:
            eof = self.tokens[end]
            raise DiagnosticError([
                *diags,
                error("Unterminated string literal", "Unable to find the closing quote mark before the end of the file.",
                      eof.range, open_tok.range.to(eof.range)),
                error("Invalid block definition",
                      'Either a quoted string block label or an opening brace ("{") is expected here.',
                      eof.range, type_tok.range.to(eof.range)),
            ])
        if diags:
            raise DiagnosticError(diags)
        return text, open_tok.range.to(close.range)
