"""Parsing of ``[for ...]`` and ``{for ...}`` expressions (hclsyntax's ``parseForExpr``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiln.hcl.lexer import IDENT, Token
from kiln.hcl.syntax import Expr, ForExpr

if TYPE_CHECKING:  # for annotations only: exprparser imports this module to parse its part of the grammar
    from kiln.hcl.exprparser import ExprParser as Parser

_SUMMARY = "Invalid 'for' expression"


def parse_for(p: Parser, open_tok: Token, close: str) -> Expr:
    """Parse after the opening bracket/brace; ``p.peek()`` is the ``for`` keyword."""
    p.read()  # for
    first = p.read()
    if first.kind != IDENT:
        raise p.fail(_SUMMARY, "For expression requires variable name after 'for'.", first)
    key_var: str | None = None
    value_var = first.text
    if p.is_punct(p.peek(), ","):
        p.read()
        second = p.read()
        if second.kind != IDENT:
            raise p.fail(_SUMMARY, "For expression requires value variable name after comma.", second)
        key_var, value_var = first.text, second.text
    in_tok = p.peek()
    if in_tok.kind != IDENT or in_tok.text != "in":
        raise p.fail(
            _SUMMARY, "For expression requires the 'in' keyword after its name declarations.", in_tok
        )
    p.read()
    collection = p.expression()
    colon = p.peek()
    if not p.is_punct(colon, ":"):
        raise p.fail(_SUMMARY, "For expression requires a colon after the collection expression.", colon)
    p.read()
    key_expr: Expr | None = None
    group = False
    if close == "}":
        key_expr = p.expression()
        arrow = p.peek()
        if not p.is_punct(arrow, "=>"):
            raise p.fail(_SUMMARY, "Key expression is required when building an object.", arrow)
        p.read()
    value_expr = p.expression()
    if close == "}" and p.is_punct(p.peek(), "..."):
        p.read()
        group = True
    cond: Expr | None = None
    if p.peek().kind == IDENT and p.peek().text == "if":
        p.read()
        cond = p.expression()
    end = p.peek()
    if not p.is_punct(end, close):
        detail = "Extra characters after the end of the 'for' expression."
        raise p.fail(_SUMMARY, detail, end, open_tok.range.to(end.range))
    p.read()
    return ForExpr(
        key_var,
        value_var,
        collection,
        key_expr,
        value_expr,
        cond,
        group,
        open_tok.range.to(end.range),
        open_tok.range,
    )
