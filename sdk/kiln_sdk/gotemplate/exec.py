"""Executing a parsed template against a context (Go's text/template exec, Packer's subset)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, is_dataclass
from typing import Any, Literal

from kiln_sdk.gotemplate.parse import ActionNode, BranchNode, Command, Node, Operand, Pipe, TextNode
from kiln_sdk.gotemplate.values import BUILTIN_FUNCS, NO_VALUE, go_str, go_type, truth

MissingField = Literal["no_value", "error", "keep"]
_SPACE = " \t\r\n"


class _Nothing:
    pass


_NOTHING: Any = _Nothing()


class Unresolved(Exception):
    """Raised by a template function whose value is not known yet (e.g. ``build`` before provisioning).

    A context that keeps unknowns leaves the whole action as it was written, for a later pass.
    """


class ExecError(Exception):
    def __init__(self, message: str, pos: int, at: str) -> None:
        super().__init__(message)
        self.message, self.pos, self.at = message, pos, at


class _Keep(Exception):
    """Leave the enclosing top-level node as source text."""


@dataclass
class Context:
    """What a template runs against: ``.Field`` values, functions, and what to do about unknowns.

    ``missing_field``: ``"no_value"`` prints ``<no value>`` (Go, map data), ``"error"`` fails (Go, struct
    data: ``data`` is the struct, named ``data_type`` in errors; maps inside it still print ``<no value>``),
    ``"keep"`` leaves the action untouched for a later render (the core leaving ``{{.Path}}``).
    ``keep_unknown_funcs`` does the same for functions this context does not define.
    """

    data: Any = None
    funcs: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    missing_field: MissingField = "no_value"
    keep_unknown_funcs: bool = False
    data_type: str = "map[string]interface {}"
    name: str = "root"


@dataclass
class Rendered:
    text: str
    kept: tuple[str, ...] = ()  # source of the actions left for a later render

    @property
    def complete(self) -> bool:
        return not self.kept


class Executor:
    def __init__(self, src: str, ctx: Context) -> None:
        self.src, self.ctx = src, ctx
        self.vars: list[tuple[str, Any]] = [("$", ctx.data)]
        self.kept: list[Node] = []

    def run(self, nodes: list[Node]) -> Rendered:
        out: list[str | TextNode | Node] = []  # a Node stands for its own source, kept for later
        for node in nodes:
            depth, mark = len(self.vars), len(out)
            try:
                self.walk(node, self.ctx.data, out)
            except _Keep:
                del out[mark:]
                del self.vars[depth:]
                self.kept.append(node)
                out.append(node)
        kept = {id(n) for n in self.kept}
        parts: list[str] = []
        for seg in out:
            if isinstance(seg, TextNode):
                s = seg.raw
                if seg.trim_left and id(seg.left_owner) not in kept:
                    s = s.lstrip(_SPACE)
                if seg.trim_right and id(seg.right_owner) not in kept:
                    s = s.rstrip(_SPACE)
                parts.append(s)
            elif isinstance(seg, Node):
                parts.append(self.src[seg.pos:seg.end])
            elif kept:
                parts.append(seg.replace("{{", '{{"{{"}}'))  # a value must not become an action later
            else:
                parts.append(seg)
        return Rendered("".join(parts), tuple(self.src[n.pos:n.end] for n in self.kept))

    def walk(self, node: Node, dot: Any, out: list[str | TextNode | Node]) -> None:
        if isinstance(node, TextNode):
            out.append(node)
        elif isinstance(node, ActionNode):
            if node.pipe is not None:
                val = self.pipe(node.pipe, dot)
                if not node.pipe.decl:
                    out.append(go_str(val))
        elif isinstance(node, BranchNode):
            self.branch(node, dot, out)

    def walk_list(self, nodes: list[Node], dot: Any, out: list[str | TextNode | Node]) -> None:
        depth = len(self.vars)
        for n in nodes:
            self.walk(n, dot, out)
        del self.vars[depth:]

    def branch(self, node: BranchNode, dot: Any, out: list[str | TextNode | Node]) -> None:
        assert node.pipe is not None
        depth = len(self.vars)
        val = self.pipe(node.pipe, dot, declare=node.kind != "range")
        if node.kind == "range":
            items: list[tuple[Any, Any]]
            if isinstance(val, Mapping):
                items = [(k, val[k]) for k in sorted(val, key=str)]
            elif isinstance(val, (list, tuple)):
                items = list(enumerate(val))
            elif val is None or val is NO_VALUE:
                items = []
            else:
                raise ExecError(f"range can't iterate over {go_str(val)}", node.pos, "range")
            for k, v in items:
                names = node.pipe.decl
                if len(names) == 1:
                    self.vars.append((names[0], v))
                elif len(names) == 2:
                    self.vars += [(names[0], k), (names[1], v)]
                self.walk_list(node.body, v, out)
                del self.vars[depth:]
            if not items:
                self.walk_list(node.else_body, dot, out)
        elif truth(val):
            self.walk_list(node.body, val if node.kind == "with" else dot, out)
        else:
            self.walk_list(node.else_body, dot, out)
        del self.vars[depth:]

    def pipe(self, pipe: Pipe, dot: Any, declare: bool = True) -> Any:
        val: Any = _NOTHING
        for cmd in pipe.cmds:
            val = self.command(cmd, dot, val)
        if declare:
            for name in pipe.decl:
                self.set_var(name, val, pipe.assign)
        return val

    def set_var(self, name: str, val: Any, assign: bool) -> None:
        if assign:
            for i in range(len(self.vars) - 1, -1, -1):
                if self.vars[i][0] == name:
                    self.vars[i] = (name, val)
                    return
        self.vars.append((name, val))

    def command(self, cmd: Command, dot: Any, final: Any) -> Any:
        first = cmd.operands[0]
        args = cmd.operands[1:]
        if first.kind == "ident":
            return self.call(first, cmd, args, dot, final)
        if first.kind in ("field", "var", "pipe", "dot") and (args or final is not _NOTHING) \
                and (first.chain or first.kind == "field"):
            return self.operand(first, dot, args=args, final=final)
        if args or final is not _NOTHING:
            raise ExecError(f"can't give argument to non-function {first.text}", first.pos, first.text)
        return self.operand(first, dot)

    def operand(self, op: Operand, dot: Any, args: list[Operand] | None = None, final: Any = _NOTHING) -> Any:
        if op.kind == "literal":
            return op.value
        if op.kind == "nil":
            return None
        if op.kind == "ident":
            return self.call(op, Command([op], op.pos), [], dot, _NOTHING)
        chain = list(op.chain)
        if op.kind == "dot":
            recv = dot
        elif op.kind == "field":
            recv, chain = dot, [op.value, *chain]
        elif op.kind == "var":
            recv = self.lookup(op)
        else:
            assert isinstance(op.value, Pipe)
            recv = self.pipe(op.value, dot)
        for i, name in enumerate(chain):
            last = i == len(chain) - 1
            recv = self.field(recv, name, op, args if last else None, final if last else _NOTHING, dot)
        return recv

    def lookup(self, op: Operand) -> Any:
        for name, val in reversed(self.vars):
            if name == op.value:
                return val
        if self.ctx.missing_field == "keep":
            raise _Keep()
        raise ExecError(f'undefined variable: {op.value}', op.pos, op.text)

    def field(self, recv: Any, name: str, op: Operand, args: list[Operand] | None, final: Any,
              dot: Any) -> Any:
        found, val = False, None
        if isinstance(recv, Mapping):
            found = name in recv
            val = recv.get(name)
        elif recv is not None and recv is not NO_VALUE and not isinstance(recv, (str, int, float, list)) \
                and (is_dataclass(recv) or hasattr(recv, name)):
            found = hasattr(recv, name)
            val = getattr(recv, name, None)
        if not found:
            policy = self.ctx.missing_field
            if policy == "keep":
                raise _Keep()
            if isinstance(recv, Mapping) and (policy == "no_value" or recv is not self.ctx.data):
                return NO_VALUE  # a map inside the data: Go prints <no value> for a missing key
            if recv is None or recv is NO_VALUE:
                if policy == "no_value":
                    return NO_VALUE
                raise ExecError(f'nil data; no entry for key "{name}"', op.pos, op.text)
            tname = self.ctx.data_type if recv is self.ctx.data else go_type(recv)
            raise ExecError(f"can't evaluate field {name} in type {tname}", op.pos, op.text)
        if callable(val):
            vals = [self.operand(a, dot) for a in args or []]
            if final is not _NOTHING:
                vals.append(final)
            return val(*vals)
        if args or final is not _NOTHING:
            raise ExecError(f"{name} has arguments but cannot be invoked as function", op.pos, op.text)
        return val

    def call(self, ident: Operand, cmd: Command, args: list[Operand], dot: Any, final: Any) -> Any:
        name = ident.value
        fn = self.ctx.funcs.get(name) or BUILTIN_FUNCS.get(name)
        if fn is None:
            if self.ctx.keep_unknown_funcs:
                raise _Keep()
            raise ExecError(f'"{name}" is not a defined function', ident.pos, ident.text)
        params = _params(fn)
        given = len(args) + (final is not _NOTHING)
        if params is not None:
            want, variadic = params
            if (given < len(want)) if variadic else (given != len(want)):
                at_least = "at least " if variadic else ""
                raise ExecError(f"wrong number of args for {name}: want {at_least}{len(want)} got {given}",
                                ident.pos, ident.text)
        vals: list[Any] = []
        for i, a in enumerate(args):
            v = self.operand(a, dot)
            want_t = params[0][i] if params is not None and i < len(params[0]) else None
            if want_t is not None and not _fits(v, want_t):
                if a.kind == "literal":
                    raise ExecError(f"expected {_GO_TYPES[want_t]}; found {a.text}", a.pos, a.text)
                raise ExecError(f"wrong type for value; expected {_GO_TYPES[want_t]}; got {go_type(v)}",
                                a.pos, a.text)
            vals.append(v)
        if final is not _NOTHING:
            vals.append(final)
        try:
            return fn(*vals)
        except Unresolved:
            if self.ctx.keep_unknown_funcs or self.ctx.missing_field == "keep":
                raise _Keep() from None
            raise ExecError(f"error calling {name}: value not known yet", cmd.pos, cmd.text) from None
        except (_Keep, ExecError):
            raise
        except Exception as exc:  # a Go function returning an error, or panicking
            raise ExecError(f"error calling {name}: {exc}", cmd.pos, cmd.text) from exc


def _params(fn: Callable[..., Any]) -> tuple[list[type | None], bool] | None:
    """Positional parameter types (``str``/``int``/``bool`` annotations, else None) and variadic-ness."""
    try:
        sig = inspect.signature(fn)
        hints = inspect.get_annotations(fn, eval_str=True) if not isinstance(fn, type) else {}
    except (TypeError, ValueError, NameError):
        return None
    want: list[type | None] = []
    variadic = False
    for p in sig.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            variadic = True
        elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty:
            t = hints.get(p.name)
            want.append(t if t in (str, int, bool, float) else None)
    return want, variadic


_GO_TYPES: dict[type, str] = {str: "string", int: "int", bool: "bool", float: "float64"}


def _fits(v: Any, t: type) -> bool:
    if t is float:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t is int:
        return isinstance(v, int) and not isinstance(v, bool)
    return isinstance(v, t)
