"""Debian's Packer 1.6.6 ``console`` as an oracle, and kiln's console output for the same input.

All expressions go through ONE ``packer console`` process: with stdin a regular file (not a pipe)
Packer prints every result, so a separator string between inputs splits the output per expression.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

from kiln.hcl.diagnostics import DiagnosticError
from kiln.hcl.evaluate import EvalContext, evaluate
from kiln.hcl.format import console_value
from kiln.hcl.parse import parse_expression
from kiln.hcl.render import render

PACKER = "/usr/bin/packer"
_SEP = "@@kiln-separator@@"


def packer_available() -> bool:
    return os.access(PACKER, os.X_OK) or shutil.which("packer") is not None


def packer_console(expressions: Sequence[str], template: str | None = None) -> list[tuple[str, int]]:
    """(output, 0 for a value / 1 for an error) per expression, from one Packer process; ``template``
    is the text of a ``.pkr.hcl`` file loaded first (its locals are then ``local.name``)."""
    with tempfile.TemporaryDirectory() as tmp:
        args = [PACKER, "console", "-config-type=hcl2"]
        if template is not None:
            with open(os.path.join(tmp, "t.pkr.hcl"), "w", encoding="utf-8") as f:
                f.write(template)
            args.append("t.pkr.hcl")
        script = os.path.join(tmp, "input.txt")
        with open(script, "w", encoding="utf-8") as f:
            for e in expressions:
                assert "\n" not in e, "the console reads one expression per line"
                f.write(f'{e}\n"{_SEP}"\n')
        with open(script, encoding="utf-8") as stdin:
            proc = subprocess.run(
                args,
                stdin=stdin,
                capture_output=True,
                cwd=tmp,
                timeout=120,
                env={**os.environ, "CHECKPOINT_DISABLE": "1", "PACKER_NO_COLOR": "1"},
            )
    chunks = proc.stdout.decode("utf-8").split(_SEP + "\n")
    if len(chunks) != len(expressions) + 1:
        raise RuntimeError(f"packer console printed {len(chunks) - 1} results for {len(expressions)} inputs")
    return [_parse_chunk(c) for c in chunks[:-1]]


def _parse_chunk(chunk: str) -> tuple[str, int]:
    if chunk.startswith("Error: "):
        return chunk.rstrip("\n"), 1
    return (chunk[:-1] if chunk.endswith("\n") else chunk), 0  # the console ends each value with a newline


def kiln_console(
    expression: str, functions: Mapping[str, Any] | None = None, ctx: EvalContext | None = None
) -> tuple[str, int]:
    """What kiln prints for ``expression`` the way ``packer console`` prints it."""
    try:
        expr = parse_expression(expression, "<console-input>")
        value = evaluate(expr, ctx or EvalContext({}, functions or {}))
    except DiagnosticError as err:
        return render(err.diagnostics, lambda _name: None).rstrip("\n"), 1
    return console_value(value), 0
