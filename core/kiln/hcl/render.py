"""Diagnostics rendered in Packer's text form::

Error: Unsupported argument

  on template.pkr.hcl line 3, in source "null" "basic":
   3:   foo = "bar"

An argument named "foo" is not expected here.

"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from kiln.hcl import lexer
from kiln.hcl.diagnostics import ERROR, WARNING, DiagnosticError, HclDiagnostic
from kiln.hcl.format import go_quote
from kiln.hcl.jsonnav import json_context
from kiln.hcl.parse import quoted_literal
from kiln.hcl.syntax import Body, Range

__all__ = ["render", "wrap"]


def render(
    diags: Iterable[HclDiagnostic],
    read_source: Callable[[str], str | None],
    bodies: Mapping[str, Body] | None = None,
    width: int = 80,
) -> str:
    """Diagnostics as Packer prints them. ``read_source(filename)`` gives a file's text (None when it is
    not available); ``bodies`` (parsed files by name) lets the header name the enclosing block; details
    are word-wrapped at ``width`` columns as Packer does (0: no wrapping)."""
    return "".join(_render_one(d, read_source, bodies or {}, width) for d in diags)


def _render_one(
    d: HclDiagnostic, read_source: Callable[[str], str | None], bodies: Mapping[str, Body], width: int
) -> str:
    head = {ERROR: "Error", WARNING: "Warning"}.get(d.severity, "Diagnostic")
    out = [f"{head}: {d.summary}\n\n"]
    if d.range is not None:
        subject = d.range
        source = read_source(subject.filename)
        if source is None:
            out.append(
                f"  on {subject.filename} line {subject.start.line}:\n  (source code not available)\n\n"
            )
        else:
            where = _context_string(bodies.get(subject.filename), source, subject)
            out.append(f"  on {subject.filename} line {subject.start.line}{where}:\n")
            first, last = subject.start.line, subject.end.line
            if subject.end.byte <= subject.start.byte:
                last = first
            if d.context is not None and d.context.filename == subject.filename:
                first = min(first, d.context.start.line)
                last = max(last, d.context.end.line)
            lines = source.split("\n")
            if lines and lines[-1] == "":  # like Go's bufio.ScanLines: no empty line after the last newline
                lines.pop()
            for n in range(first, min(last, len(lines)) + 1):
                out.append(f"{n:4d}: {lines[n - 1].rstrip(chr(13))}\n")
            out.append("\n")
        for i, stmt in enumerate(d.values):
            lead = "with " if i == 0 else "     "
            out.append(f"{lead}{stmt}{'.' if i == len(d.values) - 1 else ','}\n")
        if d.values:
            out.append("\n")
    if d.detail:
        out.append(f"{wrap(d.detail, width) if width else d.detail}\n\n")
    return "".join(out)


def wrap(text: str, limit: int) -> str:
    """mitchellh/go-wordwrap's ``WrapString``: break at spaces so lines stay within ``limit`` runes."""
    out: list[str] = []
    current = 0
    word: list[str] = []
    space: list[str] = []
    for ch in text:
        if ch == "\n":
            if not word:
                if current + len(space) <= limit:
                    out.extend(space)
            else:
                out.extend(space)
                out.extend(word)
                word = []
            space = []
            out.append(ch)
            current = 0
        elif ch.isspace() and ch != "\u00a0":
            if not space or word:
                current += len(space) + len(word)
                out.extend(space)
                out.extend(word)
                space, word = [], []
            space.append(ch)
        else:
            word.append(ch)
            if current + len(space) + len(word) > limit and len(word) < limit:
                out.append("\n")
                current = 0
                space = []
    if not word:
        if current + len(space) <= limit:
            out.extend(space)
    else:
        out.extend(space)
        out.extend(word)
    return "".join(out)


def _context_string(body: Body | None, source: str, subject: Range) -> str:
    """``, in source "null" "basic"``: the top-level block around the subject, as HCL names it. Found in
    ``body`` when given, else by scanning ``source`` (so parse errors get it too). In a JSON file, the
    path of objects and arrays around it (``, in variable.region``), as HCL's JSON navigation gives."""
    if subject.filename.endswith(".json"):
        path = json_context(source, subject.start.byte)
        return f", in {path}" if path else ""
    if body is not None:
        blocks = [(b.range.start.byte, b.range.end.byte, b.type, b.labels) for b in body.blocks]
    else:
        blocks = _scan_blocks(source, subject.filename)
    for start, end, type_, labels in blocks:
        if start <= subject.start.byte < end:
            if not labels:
                return f", in {type_}"
            quoted = " ".join(go_quote(label) for label in labels)
            return f", in {type_} {quoted}"
    return ""


def _scan_blocks(source: str, filename: str) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """Top-level blocks of ``source`` (byte span, type, labels), tolerating syntax errors inside them."""
    try:
        tokens, _ = lexer.scan(source, filename)
    except DiagnosticError:  # the lexer gave up (an unterminated comment): no block to name
        return []
    out: list[tuple[int, int, str, tuple[str, ...]]] = []
    i = 0
    at_line_start = True
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == lexer.NEWLINE:
            at_line_start = True
            i += 1
            continue
        if not (at_line_start and tok.kind == lexer.IDENT):
            at_line_start = False
            i += 1
            continue
        at_line_start = False
        j = i + 1
        labels: list[str] = []
        while j < len(tokens) and tokens[j].kind in (lexer.IDENT, lexer.OQUOTE):
            if tokens[j].kind == lexer.IDENT:
                labels.append(tokens[j].text)
                j += 1
                continue
            try:
                text, _, j = quoted_literal(tokens, j + 1)
            except DiagnosticError:  # a bad escape: HCL names the block without it
                return out
            labels.append(text)
        if not (j < len(tokens) and tokens[j].kind == lexer.PUNCT and tokens[j].text == "{"):
            i = j
            continue
        depth = 0
        k = j
        end = len(source)  # an unclosed block runs to the end of the file
        while k < len(tokens):
            t = tokens[k]
            if t.kind == lexer.PUNCT and t.text == "{":
                depth += 1
            elif t.kind == lexer.PUNCT and t.text == "}":
                depth -= 1
                if depth == 0:
                    end = t.range.end.byte
                    break
            k += 1
        out.append((tok.range.start.byte, end, tok.text, tuple(labels)))
        i = k + 1
    return out
