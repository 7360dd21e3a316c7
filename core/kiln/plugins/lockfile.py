"""The lock file ``.kiln.lock.hcl``: which version of each required plugin a template uses, and its hashes.

Beside the template (the template directory, or the folder of a template file); written by
``kiln init``, honoured by ``kiln build`` and ``kiln validate``. Terraform's shape::

    # This file is maintained automatically by "kiln init".
    # Manual edits may be lost in future updates.

    plugin "example.com/example/hello" {
      version     = "0.1.0"
      constraints = ">= 0.1"
      hashes = [
        "sha256:…",
      ]
    }

Blocks are sorted by source and hashes sorted, so the same entries always give the same bytes. A
plugin satisfied by a distribution bundled with kiln is recorded with its version and no hashes.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kiln.hcl.diagnostics import ERROR, HclDiagnostic
from kiln.hcl.render import render
from kiln.hcl.syntax import Range
from kiln.plugins.constraints import ConstraintError, parse_constraints, parse_version
from kiln.plugins.requirements import SourceError, parse_source

FILENAME = ".kiln.lock.hcl"
HEADER = '# This file is maintained automatically by "kiln init".\n# Manual edits may be lost in future updates.\n'
_HASH = re.compile(r"sha256:[0-9a-f]{64}\Z")


@dataclass(frozen=True)
class LockEntry:
    source: str
    version: str
    constraints: str = ""  # as written in the template ("" when none was recorded)
    hashes: tuple[str, ...] = field(default=())  # "sha256:<hex>"; empty for a bundled plugin

    @property
    def bundled(self) -> bool:
        return not self.hashes


class LockFileError(Exception):
    """The lock file could not be read: every problem, at file:line:col."""

    def __init__(self, diagnostics: list[HclDiagnostic], path: Path, text: str | None) -> None:
        self.diagnostics = diagnostics
        self.path = path
        self.text = text
        super().__init__("; ".join(str(d) for d in diagnostics))

    def render(self) -> str:
        return render(self.diagnostics, lambda name: self.text if name == str(self.path) else None)


def lock_dir(template_path: str | os.PathLike[str]) -> Path:
    """Where a template's lock file lives: the template directory, or the folder of a template file."""
    p = Path(template_path)
    return p if p.is_dir() else p.parent


def _err(summary: str, detail: str, where: Range | None) -> HclDiagnostic:
    return HclDiagnostic(ERROR, summary, detail, where)


def read(directory: str | os.PathLike[str]) -> dict[str, LockEntry]:
    """The entries of ``directory``'s lock file by source ({} when there is none); LockFileError if bad."""
    from kiln.template.hclapi import eval_expr, parse_file  # not at the top: kiln.template imports plugins

    path = Path(directory) / FILENAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as err:
        raise LockFileError([_err("Failed to read the lock file", f"{path}: {err}", None)], path, None) from None
    body, diags = parse_file(text, str(path))
    if body is None:
        raise LockFileError(diags, path, text)
    entries: dict[str, LockEntry] = {}
    seen: dict[str, Range] = {}
    for attr in body.attributes:
        diags.append(_err("Unsupported argument", f'An argument named "{attr.name}" is not expected here.',
                          attr.name_range))
    for blk in body.blocks:
        if blk.type != "plugin":
            diags.append(_err("Unsupported block type", f'Blocks of type "{blk.type}" are not expected here; a '
                              'lock file holds only "plugin" blocks.', blk.type_range))
            continue
        if len(blk.labels) != 1:
            diags.append(_err("Missing source for plugin" if not blk.labels else "Extraneous label for plugin",
                              "A plugin block has one label: the plugin source (HOST/NAMESPACE/NAME).",
                              blk.label_ranges[1] if len(blk.labels) > 1 else blk.type_range))
            continue
        label, label_range = blk.labels[0], blk.label_ranges[0]
        try:
            source = parse_source(label)
        except SourceError as err:
            diags.append(_err(err.summary, err.detail, label_range))
            continue
        if source != label:
            diags.append(_err("Invalid plugin source", f'The source "{label}" is not normalised: write "{source}".',
                              label_range))
            continue
        if source in seen:
            first = seen[source]
            diags.append(_err("Duplicate plugin block", f'The plugin "{source}" is already locked at '
                              f"{first.filename}:{first.start.line}:{first.start.column}.", label_range))
            continue
        seen[source] = label_range
        before = len(diags)
        values: dict[str, object] = {}
        for sub in blk.body.blocks:
            diags.append(_err("Unsupported block type", f'Blocks of type "{sub.type}" are not expected here.',
                              sub.type_range))
        for attr in blk.body.attributes:
            if attr.name not in ("version", "constraints", "hashes"):
                diags.append(_err("Unsupported argument", f'An argument named "{attr.name}" is not expected here.',
                                  attr.name_range))
                continue
            val, d = eval_expr(attr.expr, None)
            diags += d
            if d:
                continue
            where = attr.expr.range
            if attr.name in ("version", "constraints"):
                if not isinstance(val.v, str) or getattr(val.type, "name", "") != "string":
                    diags.append(_err("Invalid lock file value", f'"{attr.name}" must be a string.', where))
                    continue
                try:
                    (parse_version if attr.name == "version" else parse_constraints)(val.v)
                except ConstraintError as err:
                    diags.append(_err(f"Invalid {attr.name}", str(err), where))
                    continue
                values[attr.name] = val.v
            else:
                items = val.v if isinstance(val.v, list) else None
                if items is None or not all(isinstance(i.v, str) for i in items):
                    diags.append(_err("Invalid lock file value", '"hashes" must be a list of strings.', where))
                    continue
                bad = [str(i.v) for i in items if not _HASH.match(str(i.v))]
                if bad:
                    diags.append(_err("Invalid hash", f'"{bad[0]}" is not a hash kiln knows: hashes are written '
                                      '"sha256:" and 64 lower-case hex digits.', where))
                    continue
                values["hashes"] = tuple(str(i.v) for i in items)
        if "version" not in values:
            if len(diags) == before:  # not when "version" itself was wrong
                diags.append(_err("Missing required argument", 'The argument "version" is required, but no '
                                  "definition was found.", blk.type_range))
            continue
        entries[source] = LockEntry(source, str(values["version"]), str(values.get("constraints", "")),
                                    tuple(values.get("hashes", ())))  # type: ignore[arg-type]
    if diags:
        raise LockFileError(diags, path, text)
    return entries


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("${", "$${").replace("%{", "%%{") + '"'


def dumps(entries: Iterable[LockEntry]) -> str:
    """The lock file's text: sorted by source, hashes sorted and de-duplicated."""
    out = [HEADER]
    for e in sorted(entries, key=lambda e: e.source):
        out.append(f"\nplugin {_quote(e.source)} {{\n  version     = {_quote(e.version)}\n")
        if e.constraints:
            out.append(f"  constraints = {_quote(e.constraints)}\n")
        if e.hashes:
            out.append("  hashes = [\n" + "".join(f"    {_quote(h)},\n" for h in sorted(set(e.hashes))) + "  ]\n")
        out.append("}\n")
    return "".join(out)


def write(directory: str | os.PathLike[str], entries: Mapping[str, LockEntry] | Iterable[LockEntry]) -> Path:
    """Replace ``directory``'s lock file atomically (a temporary file in the same folder, renamed)."""
    items = list(entries.values()) if isinstance(entries, Mapping) else list(entries)
    path = Path(directory) / FILENAME
    fd, tmp = tempfile.mkstemp(prefix=f".{FILENAME}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(dumps(items))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


__all__ = ["FILENAME", "HEADER", "LockEntry", "LockFileError", "dumps", "lock_dir", "read", "write"]
