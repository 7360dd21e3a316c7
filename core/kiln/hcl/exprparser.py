"""The expression half of the HCL2 native-syntax parser (hclsyntax's grammar and messages).

``ExprParser`` reads ``lexer`` tokens: operators with HCL's precedence (unary binds tightest, then
``* / %``, ``+ -``, comparisons, equality, ``&&``, ``||``, and the right-associative ``?:``),
traversals and splats, calls with ``...``, tuple/object constructors and ``for`` expressions.
Newlines matter only where HCL says so (``newlines`` stack: ignored inside brackets and parentheses).
"""

from __future__ import annotations

from kiln.hcl import lexer, numbers
from kiln.hcl.diagnostics import DiagnosticError, error
from kiln.hcl.forexpr import parse_for
from kiln.hcl.lexer import EOF, IDENT, NEWLINE, NUMBER, PUNCT, Token
from kiln.hcl.syntax import (
    AnonSymbol,
    Binary,
    Conditional,
    Expr,
    FunctionCall,
    GetAttr,
    Index,
    Literal,
    ObjectCons,
    ObjectItem,
    Parens,
    Range,
    Splat,
    TemplateExpr,
    TupleCons,
    Unary,
    Variable,
)
from kiln.hcl.templates import parse_template_tokens
from kiln.hcl.values import NUMBER as NUMBER_T
from kiln.hcl.values import Value, boolean, null, string

__all__ = ["ExprParser"]

_BINARY_LEVELS: tuple[tuple[str, ...], ...] = (
    ("||",),
    ("&&",),
    ("==", "!="),
    ("<", ">", "<=", ">="),
    ("+", "-"),
    ("*", "/", "%"),
)
_KEYWORD_VALUES = {"true": boolean(True), "false": boolean(False), "null": null()}
MAX_NESTING = 200
"""Nested terms (parentheses, brackets, braces, calls, unary operators) an expression may hold: deeper
input would exhaust Python's stack; Go's HCL has no limit, but no real template comes close."""


class ExprParser:
    def __init__(self, tokens: list[Token], filename: str) -> None:
        self.tokens = tokens
        self.filename = filename
        self.i = 0
        self.newlines: list[bool] = [True]
        self.depth = 0

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
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise self.fail(
                    "Expression nested too deeply",
                    f"This expression nests more than {MAX_NESTING} levels of parentheses, brackets, braces, "
                    "function calls or operators; kiln cannot evaluate it. Split it into locals.",
                    self.peek(),
                )
            return self._term()
        finally:
            self.depth -= 1

    def _term(self) -> Expr:
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
