"""Packer's Go text/template interpolation (``{{user `x`}}``, ``{{.Path}}``, ``{{if}}``...).

Used by the core (user variables and Packer's functions, leaving ``{{.Path}}``-style fields for the
plugin) and by plugins (``execute_command`` with ``.Vars``/``.Path``, strict about unknown fields)::

    render("{{.Vars}} {{user `a`}}", Context(funcs={"user": ...}, missing_field="keep",
                                              keep_unknown_funcs=True))
    render("{{.Vars}} sh {{.Path}}", Context(data={"Vars": "A=1", "Path": "/tmp/s"},
                                              missing_field="error"))

Errors read like Go's: ``template: root:1:2: executing "root" at <.Foo>: can't evaluate field Foo ...``.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiln_sdk.gotemplate.exec import Context, ExecError, Executor, MissingField, Rendered, Unresolved
from kiln_sdk.gotemplate.lexer import ParseError
from kiln_sdk.gotemplate.parse import Node, parse
from kiln_sdk.gotemplate.values import NO_VALUE, FuncError, go_str, sprintf, truth

__all__ = [
    "NO_VALUE",
    "Context",
    "FuncError",
    "MissingField",
    "Rendered",
    "Template",
    "TemplateError",
    "Unresolved",
    "go_str",
    "has_actions",
    "render",
    "render_detail",
    "sprintf",
    "truth",
]


class TemplateError(Exception):
    """A template that does not parse or does not execute; ``str()`` is Go's wording."""

    def __init__(self, message: str, *, name: str, line: int, col: int | None, detail: str) -> None:
        super().__init__(message)
        self.name, self.line, self.col, self.detail = name, line, col, detail


def _line_col(src: str, pos: int) -> tuple[int, int]:
    before = src[:pos]
    return before.count("\n") + 1, pos - (before.rfind("\n") + 1)


@dataclass
class Template:
    """A parsed template; parse once, execute with many contexts."""

    source: str
    nodes: list[Node]
    name: str = "root"

    @classmethod
    def parse(cls, source: str, ctx: Context | None = None, name: str | None = None) -> Template:
        """Parse ``source``; with a strict ``ctx``, unknown function names are parse errors as in Go."""
        ctx = ctx or Context()
        name = name or ctx.name
        strict = not ctx.keep_unknown_funcs
        known = set(ctx.funcs) if strict else None
        try:
            nodes = parse(source, known)
        except ParseError as exc:
            line, _ = _line_col(source, exc.pos)
            raise TemplateError(f"template: {name}:{line}: {exc.message}", name=name, line=line, col=None,
                                detail=exc.message) from None
        return cls(source, nodes, name)

    def execute(self, ctx: Context) -> Rendered:
        try:
            return Executor(self.source, ctx).run(self.nodes)
        except ExecError as exc:
            line, col = _line_col(self.source, exc.pos)
            msg = f'template: {self.name}:{line}:{col}: executing "{self.name}" at <{exc.at}>: {exc.message}'
            raise TemplateError(msg, name=self.name, line=line, col=col, detail=exc.message) from None


def render_detail(source: str, ctx: Context) -> Rendered:
    """Render ``source``; the result says which actions were kept for a later render."""
    if "{{" not in source:
        return Rendered(source)
    return Template.parse(source, ctx).execute(ctx)


def render(source: str, ctx: Context) -> str:
    """Render ``source`` with ``ctx``; raises TemplateError with Go's wording."""
    return render_detail(source, ctx).text


def has_actions(source: str) -> bool:
    return "{{" in source
