"""Helpers for the template tests: write a template directory, load it, render diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest
from kiln.template import Template, TemplateError, load_template


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def load(root: Path, files: dict[str, str], **kw: object) -> Template:
    write(root, files)
    kw.setdefault("env", {})
    return load_template(str(root), **kw)  # type: ignore[arg-type]


def errors(root: Path, files: dict[str, str], **kw: object) -> list[tuple[str, str, str]]:
    """(summary, detail, "file:line:col" or "") of every error loading raises."""
    with pytest.raises(TemplateError) as info:
        load(root, files, **kw)
    out = []
    for d in info.value.diagnostics:
        if d.severity != "error":
            continue
        where = ""
        if d.range is not None:
            where = f"{Path(d.range.filename).name}:{d.range.start.line}:{d.range.start.column}"
        out.append((d.summary, d.detail, where))
    return out


NULL_BUILD = """
source "null" "x" { communicator = "none" }
build { sources = ["source.null.x"] }
"""
