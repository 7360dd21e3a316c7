"""Test helpers for the function library: build values, write them as HCL source, evaluate that source
with kiln's parser, evaluator and console printer, and run Debian's Packer 1.6.6 once over a batch of
expressions."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from kiln.hcl import numbers
from kiln.hcl.convert import object_type
from kiln.hcl.diagnostics import DiagnosticError
from kiln.hcl.evaluate import EvalContext, evaluate
from kiln.hcl.format import console_value
from kiln.hcl.function import ArgError, ArityError, Function, FunctionError
from kiln.hcl.functions import FUNCTIONS, ExpressionFunction, functions_for
from kiln.hcl.parse import parse_expression
from kiln.hcl.syntax import FunctionCall
from kiln.hcl.values import BOOL, DYNAMIC, NUMBER, STRING, TupleType, Value

PACKER = "/usr/bin/packer"


def S(s: str) -> Value:
    return Value(STRING, s)


def N(n: int | str | float) -> Value:
    return Value(NUMBER, numbers.CONTEXT.plus(Decimal(str(n))))


def B(b: bool) -> Value:
    return Value(BOOL, b)


NULL = Value(DYNAMIC, None)


def T(*elems: Value) -> Value:
    """A tuple, as ``[...]`` is in HCL."""
    return Value(TupleType(tuple(e.type for e in elems)), list(elems))


def O(**attrs: Value) -> Value:  # noqa: E743 - reads like HCL's object constructor
    return Value(object_type({k: v.type for k, v in attrs.items()}), dict(attrs))


def OD(attrs: dict[str, Value]) -> Value:
    return Value(object_type({k: v.type for k, v in attrs.items()}), dict(attrs))


# ---- HCL source ---------------------------------------------------------------------------------


def hcl_string(s: str) -> str:
    out = ['"']
    i = 0
    while i < len(s):
        ch = s[i]
        if ch in "$%" and s[i + 1 : i + 2] == "{":
            out.append(ch * 2 + "{")
            i += 2
            continue
        out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\\": "\\\\"}.get(ch, ch))
        i += 1
    out.append('"')
    return "".join(out)


def hcl(v: Value) -> str:
    """``v`` written as an HCL expression (tuples and objects as literals)."""
    if v.v is None:
        return "null"
    if v.type == STRING:
        return hcl_string(v.v)
    if v.type == NUMBER:
        return numbers.text(v.v)
    if v.type == BOOL:
        return "true" if v.v else "false"
    if isinstance(v.v, list):
        return "[" + ", ".join(hcl(e) for e in v.v) + "]"
    if isinstance(v.v, dict):
        return "{" + ", ".join(f"{hcl_string(k)} = {hcl(e)}" for k, e in v.v.items()) + "}"
    raise ValueError(f"cannot write {v!r} as HCL")


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Value, ...]
    raw: str | None = None  # HCL text when an argument has no literal form

    def source(self) -> str:
        return self.raw or f"{self.name}({', '.join(hcl(a) for a in self.args)})"


def call(name: str, *args: Value) -> Call:
    return Call(name, tuple(args))


def raw(source: str) -> Call:
    """A case written directly as HCL (the function name is what precedes the first parenthesis)."""
    return Call(source.split("(", 1)[0], (), source)


# ---- kiln's side: the real parser, evaluator and console printer --------------------------------


def kiln_console(source: str, base_dir: str = ".") -> str:
    """What ``kiln console`` prints for ``source`` (an HCL expression), or "ERROR: detail"."""
    ctx = EvalContext({"local": OD({})}, functions=functions_for(base_dir))
    try:
        expr = parse_expression(source, "<console-input>")
        if isinstance(expr, FunctionCall) and isinstance(FUNCTIONS.get(expr.name), ExpressionFunction):
            # until kiln.hcl.calls hands expression functions their expressions, call them directly
            # (only at the top level of a case); see test_fn_semantics.test_try_through_the_evaluator
            return _expression_call(expr, ctx)
        value = evaluate(expr, ctx)
    except DiagnosticError as err:
        return "ERROR: " + err.diagnostics[0].detail
    return console_value(value)


def _expression_call(expr: FunctionCall, ctx: EvalContext) -> str:
    fn = FUNCTIONS[expr.name]
    assert isinstance(fn, ExpressionFunction)
    try:
        return console_value(fn.call_expressions(expr, ctx, evaluate))
    except ArityError as err:
        return "ERROR: " + err.message
    except ArgError as err:
        names = fn.param_names or ((fn.variadic,) if fn.variadic else ())
        name = names[min(err.index, len(names) - 1)] if names else "?"
        return f'ERROR: Invalid value for "{name}" parameter: {err.message}.'
    except FunctionError as err:
        return f'ERROR: Call to function "{expr.name}" failed: {err.message}.'


def kiln_output(c: Call) -> str:
    return kiln_console(c.source())


def call_value(name: str, *args: Value) -> Value:
    """Call a function directly (no evaluator), as unit tests do."""
    fn = FUNCTIONS[name]
    assert isinstance(fn, Function), f"{name} takes expressions: call it through the evaluator"
    return fn.call(list(args))


# ---- the Packer oracle --------------------------------------------------------------------------

_SEP = "@@KILN-SEP@@"


def packer_available() -> bool:
    return shutil.which(PACKER) is not None or os.path.exists(PACKER)


def packer_console(expressions: Sequence[str], cwd: str | None = None) -> list[str]:
    """Evaluate every expression in ONE ``packer console`` process (working directory ``cwd``); the
    results, or "ERROR: detail" for each that failed."""
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "input.txt")
        with open(script, "w", encoding="utf-8") as f:
            for e in expressions:
                f.write(e.replace("\n", " ") + "\n" + hcl_string(_SEP) + "\n")
        # stdin is a regular file, not a pipe: Packer then prints every result, not only the last one
        with open(script, encoding="utf-8") as stdin:
            proc = subprocess.run(
                [PACKER, "console", "-config-type=hcl2"],
                stdin=stdin,
                capture_output=True,
                cwd=cwd or tmp,
                timeout=120,
                env={**os.environ, "CHECKPOINT_DISABLE": "1", "PACKER_NO_COLOR": "1"},
            )
    chunks = proc.stdout.decode("utf-8").split(_SEP + "\n")  # bytes: keep "\r" as printed
    if len(chunks) != len(expressions) + 1:
        raise RuntimeError(f"packer console printed {len(chunks) - 1} results for {len(expressions)} inputs")
    return [_parse_chunk(c) for c in chunks[:-1]]


def _parse_chunk(chunk: str) -> str:
    if chunk.startswith("Error: "):
        lines = chunk.split("\n")
        # summary, blank, "on <console-input> line 1:", "(source code not available)", blank, detail...
        detail = " ".join(x.strip() for x in lines[5:] if x.strip())
        return "ERROR: " + detail
    return chunk[:-1] if chunk.endswith("\n") else chunk
