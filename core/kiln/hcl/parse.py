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

from kiln.hcl import lexer, numbers
from kiln.hcl.diagnostics import DiagnosticError, HclDiagnostic, error
from kiln.hcl.lexer import EOF, IDENT, NEWLINE, NUMBER, PUNCT, Token
from kiln.hcl.syntax import (
    AnonSymbol,
    Attribute,
    Binary,
    Block,
    Body,
    Conditional,
    Expr,
    ForExpr,
    FunctionCall,
    GetAttr,
    Index,
    Literal,
    ObjectCons,
    ObjectItem,
    Parens,
    Pos,
    Range,
    Splat,
    TemplateExpr,
    TupleCons,
    Unary,
    Variable,
)
from kiln.hcl.values import NUMBER as NUMBER_T
from kiln.hcl.values import Value, boolean, null, string

__all__ = ["parse_body", "parse_expression", "parse_template"]

_BINARY_LEVELS: tuple[tuple[str, ...], ...] = (
    ("||",),
    ("&&",),
    ("==", "!="),
    ("<", ">", "<=", ">="),
    ("+", "-"),
    ("*", "/", "%"),
)
T = TypeVar("T")
_KEYWORD_VALUES = {"true": boolean(True), "false": boolean(False), "null": null()}


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
    from kiln.hcl.templates import parse_template_tokens

    return _run(
        lexer.scan_template(src, filename, start),
        filename,
        lambda p: parse_template_tokens(p, end_kind=EOF, flush=False),
    )


class Parser:
    def __init__(self, tokens: list[Token], filename: str) -> None:
        self.tokens = tokens
        self.filename = filename
        self.i = 0
        self.newlines: list[bool] = [True]

    # -- token access ------------------------------------------------------------------------------
    def peek(self, skip: int = 0) -> Token:
        i = self.i
        while True:
            tok = self.tokens[i]
            if tok.kind == NEWLINE and not self.newlines[-1]:
                i += 1
                continue
            if skip == 0:
                return tok
            skip -= 1
            i += 1

    def read(self) -> Token:
        while self.tokens[self.i].kind == NEWLINE and not self.newlines[-1]:
            self.i += 1
        tok = self.tokens[self.i]
        if tok.kind != EOF:
            self.i += 1
        return tok

    def raw_peek(self) -> Token:
        return self.tokens[self.i]

    def is_punct(self, tok: Token, *texts: str) -> bool:
        return tok.kind == PUNCT and tok.text in texts

    def fail(
        self, summary: str, detail: str, tok: Token | Range, context: Range | None = None
    ) -> DiagnosticError:
        rng = tok.range if isinstance(tok, Token) else tok
        return DiagnosticError([error(summary, detail, rng, context)])

    def expect(self, text: str, summary: str, detail: str) -> Token:
        tok = self.peek()
        if not self.is_punct(tok, text):
            raise self.fail(summary, detail, tok)
        return self.read()

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
                value, rng = self.label_string()
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
        name = self.read()
        if name.kind != IDENT or not self.is_punct(self.peek(), "="):
            raise self.fail(
                "Invalid single-argument block definition",
                "A single-line block definition can contain only a single argument. If you meant to define "
                "argument, use an equals sign to assign it a value. To define a nested block, place it on a "
                "line of its own within its parent block.",
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
            raise self.fail(
                "Invalid single-argument block definition",
                "Single-line block syntax can include only one argument definition. To define multiple "
                "arguments, use the multi-line block syntax with one argument definition per line.",
                after,
            )
        return Attribute(name.text, expr, name.range.to(expr.range), name.range)

    def label_string(self) -> tuple[str, Range]:
        from kiln.hcl.templates import parse_template_tokens

        open_tok = self.peek()
        expr = parse_template_tokens(self, end_kind=lexer.CQUOTE, flush=False)
        if isinstance(expr, Literal) and isinstance(expr.value.v, str):
            return expr.value.v, expr.range
        parts: tuple[Expr, ...] = expr.parts if isinstance(expr, TemplateExpr) else ()
        if len(parts) == 1 and isinstance(parts[0], Literal):
            return str(parts[0].value.v), expr.range
        if not parts:
            return "", expr.range
        raise self.fail(
            "Invalid string literal",
            "Template sequences are not allowed in this string.",
            open_tok.range.to(expr.range),
        )

    # -- expressions ---------------------------------------------------------------------------------
    def expression(self) -> Expr:
        cond = self.binary(0)
        if not self.is_punct(self.peek(), "?"):
            return cond
        self.read()
        true_expr = self.expression()
        colon = self.peek()
        if not self.is_punct(colon, ":"):
            raise self.fail(
                "Missing false expression in conditional",
                "The conditional operator (...?...:...) requires a false expression, delimited by a colon.",
                colon,
            )
        self.read()
        false_expr = self.expression()
        return Conditional(cond, true_expr, false_expr, cond.range.to(false_expr.range))

    def binary(self, level: int) -> Expr:
        if level == len(_BINARY_LEVELS):
            return self.with_traversals()
        left = self.binary(level + 1)
        while True:
            tok = self.peek()
            if tok.kind != PUNCT or tok.text not in _BINARY_LEVELS[level]:
                return left
            self.read()
            right = self.binary(level + 1)
            left = Binary(tok.text, left, right, left.range.to(right.range))

    def with_traversals(self) -> Expr:
        return self.traversals(self.term())

    def term(self) -> Expr:
        tok = self.peek()
        if tok.kind == PUNCT:
            if tok.text in ("-", "!"):
                self.read()
                operand = self.with_traversals()
                return Unary(tok.text, operand, tok.range.to(operand.range))
            if tok.text == "(":
                self.read()
                self.newlines.append(False)
                inner = self.expression()
                close = self.peek()
                if not self.is_punct(close, ")"):
                    raise self.fail(
                        "Unbalanced parentheses",
                        "Expected a closing parenthesis to terminate the expression.",
                        close,
                        tok.range.to(close.range),
                    )
                self.read()
                self.newlines.pop()
                return Parens(inner, tok.range.to(close.range))
            if tok.text == "[":
                return self.tuple_or_for()
            if tok.text == "{":
                return self.object_or_for()
        if tok.kind == NUMBER:
            self.read()
            n = numbers.parse(tok.text)
            if n is None:
                raise self.fail(
                    "Invalid number literal", "Failed to recognize the value of this number literal.", tok
                )
            return Literal(Value(NUMBER_T, n), tok.range)
        if tok.kind == IDENT:
            self.read()
            if self.is_punct(self.peek(), "("):
                return self.call(tok)
            if tok.text in _KEYWORD_VALUES:
                return Literal(_KEYWORD_VALUES[tok.text], tok.range)
            return Variable(tok.text, tok.range)
        if tok.kind in (lexer.OQUOTE, lexer.OHEREDOC):
            from kiln.hcl.templates import parse_template_tokens

            heredoc = tok.kind == lexer.OHEREDOC
            end_kind = lexer.CHEREDOC if heredoc else lexer.CQUOTE
            return parse_template_tokens(
                self, end_kind=end_kind, flush=heredoc and tok.text.startswith("<<-")
            )
        raise self.fail(
            "Invalid expression",
            "Expected the start of an expression, but found an invalid expression token.",
            tok,
        )

    def traversals(self, source: Expr, splat_dot_only: bool = False) -> Expr:
        while True:
            tok = self.peek()
            if self.is_punct(tok, "."):
                nxt = self.peek(1)
                if splat_dot_only and nxt.kind not in (IDENT, NUMBER):
                    return source
                self.read()
                name = self.read()
                if name.kind == IDENT:
                    source = GetAttr(source, name.text, source.range.to(name.range), name.range)
                elif name.kind == NUMBER:
                    if "." in name.text:
                        first, _, second = name.text.partition(".")
                        raise self.fail(
                            "Invalid legacy index syntax",
                            "When using the legacy index syntax, chaining two indexes together is not permitted. "
                            f"Use the proper index syntax instead, like [{first}][{second}].",
                            name,
                        )
                    step = Literal(Value(NUMBER_T, numbers.parse(name.text)), name.range)
                    source = Index(source, step, source.range.to(name.range), tok.range.to(name.range))
                elif self.is_punct(name, "*") and not splat_dot_only:
                    each = self.traversals(AnonSymbol(name.range), splat_dot_only=True)
                    source = Splat(source, each, source.range.to(each.range), tok.range.to(name.range))
                else:
                    raise self.fail(
                        "Invalid attribute name", "An attribute name is required after a dot.", name
                    )
            elif self.is_punct(tok, "[") and not splat_dot_only:
                self.read()
                if self.is_punct(self.peek(), "*"):
                    self.read()
                    close = self.read()
                    if not self.is_punct(close, "]"):
                        raise self.fail(
                            "Missing close bracket on splat index",
                            'The star for a full splat operator must be immediately followed by a closing bracket ("]").',
                            close,
                        )
                    marker = tok.range.to(close.range)
                    each = self.traversals(AnonSymbol(marker))
                    return Splat(source, each, source.range.to(each.range), marker)
                self.newlines.append(False)
                key = self.expression()
                close = self.peek()
                if not self.is_punct(close, "]"):
                    raise self.fail(
                        "Missing close bracket on index",
                        'The index operator must end with a closing bracket ("]").',
                        close,
                    )
                self.read()
                self.newlines.pop()
                source = Index(source, key, source.range.to(close.range), tok.range.to(close.range))
            else:
                return source

    def call(self, name: Token) -> Expr:
        open_paren = self.read()
        self.newlines.append(False)
        args: list[Expr] = []
        expand = False
        while not self.is_punct(self.peek(), ")"):
            args.append(self.expression())
            sep = self.peek()
            if self.is_punct(sep, "..."):
                self.read()
                expand = True
                if not self.is_punct(self.peek(), ")"):
                    raise self.fail(
                        "Missing closing parenthesis",
                        "An expanded function argument (with ...) must be immediately followed by closing parentheses.",
                        self.peek(),
                    )
                break
            if self.is_punct(sep, ","):
                self.read()
                continue
            if not self.is_punct(sep, ")"):
                raise self.fail(
                    "Missing argument separator",
                    "A comma is required to separate each function argument from the next.",
                    sep,
                    name.range.to(sep.range),
                )
        close = self.read()
        self.newlines.pop()
        return FunctionCall(
            name.text,
            tuple(args),
            expand,
            name.range.to(close.range),
            name.range,
            open_paren.range,
            close.range,
        )

    def tuple_or_for(self) -> Expr:
        open_tok = self.read()
        self.newlines.append(False)
        if self.peek().kind == IDENT and self.peek().text == "for":
            from kiln.hcl.forexpr import parse_for

            result = parse_for(self, open_tok, close="]")
            self.newlines.pop()
            return result
        items: list[Expr] = []
        while not self.is_punct(self.peek(), "]"):
            items.append(self.expression())
            sep = self.peek()
            if self.is_punct(sep, ","):
                self.read()
            elif not self.is_punct(sep, "]"):
                raise self.fail(
                    "Missing item separator",
                    "Expected a comma to mark the beginning of the next item.",
                    sep,
                    open_tok.range.to(sep.range),
                )
        close = self.read()
        self.newlines.pop()
        return TupleCons(tuple(items), open_tok.range.to(close.range))

    def object_or_for(self) -> Expr:
        open_tok = self.read()
        self.newlines.append(False)
        if self.peek().kind == IDENT and self.peek().text == "for":
            from kiln.hcl.forexpr import parse_for

            result = parse_for(self, open_tok, close="}")
            self.newlines.pop()
            return result
        self.newlines[-1] = True
        items: list[ObjectItem] = []
        while True:
            tok = self.peek()
            if tok.kind == NEWLINE:
                self.read()
                continue
            if self.is_punct(tok, "}"):
                break
            bare = tok.kind == IDENT and self.is_punct(self.peek(1), "=", ":")
            key = self.expression()
            if bare:  # a bare name (even true/false/null) is the key itself; (name) is evaluated
                key = Literal(string(tok.text), key.range)
            ambiguous = isinstance(key, GetAttr | Index) and _static(key)
            sep = self.peek()
            if not self.is_punct(sep, "=", ":"):
                raise self.fail(
                    "Missing key/value separator",
                    'Expected an equals sign ("=") to mark the beginning of the attribute value.',
                    sep,
                    open_tok.range.to(sep.range),
                )
            self.read()
            value = self.expression()
            items.append(ObjectItem(key, value, ambiguous))
            nxt = self.peek()
            if self.is_punct(nxt, "}"):
                break
            if nxt.kind != NEWLINE and not self.is_punct(nxt, ","):
                raise self.fail(
                    "Missing attribute separator",
                    "Expected a newline or comma to mark the beginning of the next attribute.",
                    nxt,
                    open_tok.range.to(nxt.range),
                )
            self.read()
        close = self.read()
        self.newlines.pop()
        return ObjectCons(tuple(items), open_tok.range.to(close.range))


def _static(e: Expr) -> bool:
    """Whether ``e`` is a traversal with only static steps (``a.b``, ``a[0]``), as HCL's ScopeTraversalExpr."""
    while isinstance(e, GetAttr | Index):
        if isinstance(e, Index) and not isinstance(e.key, Literal | TemplateExpr):
            return False
        e = e.source
    return isinstance(e, Variable)


__all__ += ["Parser", "ForExpr"]
