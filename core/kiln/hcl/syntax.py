"""The HCL2 syntax model: bodies, attributes, blocks and expressions, each with its source ``Range``.

Expressions mirror hclsyntax's: literals, templates (with ``%{if}``/``%{for}`` directives), tuple and
object constructors, variables and traversals, function calls, operators, conditionals, for
expressions and splats. ``kiln.hcl.parse`` builds them; ``kiln.hcl.evaluate`` gives them values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiln.hcl.values import Value


@dataclass(frozen=True, order=True)
class Pos:
    line: int  # 1-based
    column: int  # 1-based, counted in characters
    byte: int = 0  # 0-based offset in characters from the start of the source


@dataclass(frozen=True)
class Range:
    filename: str
    start: Pos
    end: Pos

    @property
    def start_line(self) -> int:
        return self.start.line

    @property
    def start_col(self) -> int:
        return self.start.column

    @property
    def end_line(self) -> int:
        return self.end.line

    @property
    def end_col(self) -> int:
        return self.end.column

    def to(self, other: Range) -> Range:
        """The range from the start of this one to the end of ``other``."""
        return Range(self.filename, self.start, other.end)

    def __str__(self) -> str:
        """HCL's form: ``file:1,2-12`` on one line, ``file:1,2-3,4`` across lines."""
        if self.start.line == self.end.line:
            return f"{self.filename}:{self.start.line},{self.start.column}-{self.end.column}"
        return f"{self.filename}:{self.start.line},{self.start.column}-{self.end.line},{self.end.column}"


class Expr:
    """Base of expression nodes; every node has a ``range``."""

    range: Range


@dataclass(frozen=True)
class Literal(Expr):
    value: Value
    range: Range


@dataclass(frozen=True)
class TemplateExpr(Expr):
    """A string template: the parts' values converted to strings and concatenated."""

    parts: tuple[Expr, ...]
    range: Range


@dataclass(frozen=True)
class TemplateWrap(Expr):
    """``"${x}"``: a template that is exactly one interpolation yields the value unconverted."""

    wrapped: Expr
    range: Range


@dataclass(frozen=True)
class TemplateIf(Expr):
    """``%{ if cond }...%{ else }...%{ endif }`` inside a template."""

    cond: Expr
    true_part: TemplateExpr
    false_part: TemplateExpr | None
    range: Range


@dataclass(frozen=True)
class TemplateFor(Expr):
    """``%{ for k, v in coll }...%{ endfor }`` inside a template."""

    key_var: str | None
    value_var: str
    collection: Expr
    body: TemplateExpr
    range: Range


@dataclass(frozen=True)
class TupleCons(Expr):
    items: tuple[Expr, ...]
    range: Range


@dataclass(frozen=True)
class ObjectItem:
    key: Expr  # a bare name key is parsed as a string Literal
    value: Expr
    ambiguous: bool = False  # an unparenthesized ``a.b = ...`` key, which HCL rejects when evaluated


@dataclass(frozen=True)
class ObjectCons(Expr):
    items: tuple[ObjectItem, ...]
    range: Range


@dataclass(frozen=True)
class Variable(Expr):
    """A root name (``var`` in ``var.x``)."""

    name: str
    range: Range


@dataclass(frozen=True)
class AnonSymbol(Expr):
    """The current element inside a splat's ``each`` expression."""

    range: Range


@dataclass(frozen=True)
class GetAttr(Expr):
    source: Expr
    name: str
    range: Range
    name_range: Range


@dataclass(frozen=True)
class Index(Expr):
    """``source[key]`` (also the legacy ``source.0`` form)."""

    source: Expr
    key: Expr
    range: Range
    bracket_range: Range


@dataclass(frozen=True)
class Splat(Expr):
    """``source[*].each`` / ``source.*.each``; ``each`` is relative to an ``AnonSymbol``."""

    source: Expr
    each: Expr
    range: Range
    marker_range: Range


@dataclass(frozen=True)
class FunctionCall(Expr):
    name: str
    args: tuple[Expr, ...]
    expand_final: bool
    range: Range
    name_range: Range
    open_paren_range: Range
    close_paren_range: Range


@dataclass(frozen=True)
class Unary(Expr):
    op: str  # "-" | "!"
    operand: Expr
    range: Range


@dataclass(frozen=True)
class Binary(Expr):
    op: str  # "||" "&&" "==" "!=" "<" ">" "<=" ">=" "+" "-" "*" "/" "%"
    left: Expr
    right: Expr
    range: Range


@dataclass(frozen=True)
class Conditional(Expr):
    cond: Expr
    true_expr: Expr
    false_expr: Expr
    range: Range


@dataclass(frozen=True)
class ForExpr(Expr):
    key_var: str | None
    value_var: str
    collection: Expr
    key_expr: Expr | None  # set for an object ``{for ...: k => v}``
    value_expr: Expr
    cond: Expr | None
    group: bool  # ``...`` after the value of an object for expression
    range: Range
    open_range: Range


@dataclass(frozen=True)
class Parens(Expr):
    expr: Expr
    range: Range


@dataclass(frozen=True)
class Attribute:
    name: str
    expr: Expr
    range: Range
    name_range: Range


@dataclass(frozen=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    range: Range  # the header and the braces
    type_range: Range
    label_ranges: tuple[Range, ...]
    open_brace_range: Range
    close_brace_range: Range


@dataclass(frozen=True)
class Body:
    attributes: tuple[Attribute, ...]
    blocks: tuple[Block, ...]
    range: Range
    end_range: Range | None = field(compare=False, default=None)

    def attribute(self, name: str) -> Attribute | None:
        for a in self.attributes:
            if a.name == name:
                return a
        return None

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


@dataclass(frozen=True)
class Traversal:
    """A reference to a variable: its root name, the static steps after it, and the range of all of it.
    Steps are attribute names (``str``) and literal indexes (``str`` keys or ``int`` positions) as far
    as they are known without evaluation."""

    root: str
    steps: tuple[str | int, ...]
    range: Range
