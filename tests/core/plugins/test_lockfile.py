"""The lock file: written sorted and byte-stable, atomically; read back; bad files at file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest
from kiln.plugins.lockfile import FILENAME, LockEntry, LockFileError, dumps, lock_dir, read, write

A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64


def test_round_trip_and_stable_bytes(tmp_path: Path) -> None:
    entries = [LockEntry("example.com/example/hello", "0.1.0", ">= 0.1", (B, A, A)),
               LockEntry("github.com/hashicorp/amazon", "1.0.0", "~> 1")]
    path = write(tmp_path, reversed(entries))
    assert path == tmp_path / FILENAME
    text = path.read_text()
    assert text == (
        '# This file is maintained automatically by "kiln init".\n# Manual edits may be lost in future updates.\n\n'
        'plugin "example.com/example/hello" {\n  version     = "0.1.0"\n  constraints = ">= 0.1"\n  hashes = [\n'
        f'    "{A}",\n    "{B}",\n  ]\n}}\n\n'
        'plugin "github.com/hashicorp/amazon" {\n  version     = "1.0.0"\n  constraints = "~> 1"\n}\n')
    back = read(tmp_path)
    assert back == {"example.com/example/hello": LockEntry("example.com/example/hello", "0.1.0", ">= 0.1", (A, B)),
                    "github.com/hashicorp/amazon": entries[1]}
    assert back["github.com/hashicorp/amazon"].bundled and not back["example.com/example/hello"].bundled
    write(tmp_path, back)
    assert path.read_text() == text == dumps(back.values())
    assert [p.name for p in tmp_path.iterdir()] == [FILENAME]  # no temporary file left


def test_missing_file_is_no_entries(tmp_path: Path) -> None:
    assert read(tmp_path) == {}


def test_lock_dir(tmp_path: Path) -> None:
    (tmp_path / "a.pkr.hcl").write_text("")
    assert lock_dir(tmp_path) == tmp_path and lock_dir(tmp_path / "a.pkr.hcl") == tmp_path


@pytest.mark.parametrize(("text", "summary", "where"), [
    ('plugin "example.com/example/hello" {\n  version = "0.1.0"\n', "Argument or block definition required", "3:1"),
    ('foo = 1\n', "Unsupported argument", "1:1"),
    ('provider "x" {}\n', "Unsupported block type", "1:1"),
    ('plugin {\n  version = "1.0.0"\n}\n', "Missing source for plugin", "1:1"),
    ('plugin "a/b" {\n  version = "1.0.0"\n}\n', "Invalid plugin source string", "1:8"),
    ('plugin "Example.com/example/hello" {\n  version = "1.0.0"\n}\n', "Invalid plugin source", "1:8"),
    ('plugin "x.io/y/z" {\n  version = "1.0.0"\n}\nplugin "x.io/y/z" {\n  version = "1.0.0"\n}\n',
     "Duplicate plugin block", "4:8"),
    ('plugin "x.io/y/z" {\n  version = 1\n}\n', "Invalid lock file value", "2:13"),
    ('plugin "x.io/y/z" {\n  version = "one"\n}\n', "Invalid version", "2:13"),
    ('plugin "x.io/y/z" {\n  version = "1.0.0"\n  constraints = "~> x"\n}\n', "Invalid constraints", "3:17"),
    ('plugin "x.io/y/z" {\n  version = "1.0.0"\n  hashes = ["md5:1"]\n}\n', "Invalid hash", "3:12"),
    ('plugin "x.io/y/z" {\n  version = "1.0.0"\n  hashes = "sha256:0"\n}\n', "Invalid lock file value", "3:12"),
    ('plugin "x.io/y/z" {\n  version = "1.0.0"\n  other = 1\n}\n', "Unsupported argument", "3:3"),
    ('plugin "x.io/y/z" {\n  constraints = ">= 1"\n}\n', "Missing required argument", "1:1"),
    ('plugin "x.io/y/z" {\n  version = var.v\n}\n', "Variables not allowed", "2:13"),
])
def test_bad_files(tmp_path: Path, text: str, summary: str, where: str) -> None:
    (tmp_path / FILENAME).write_text(text)
    with pytest.raises(LockFileError) as info:
        read(tmp_path)
    d = info.value.diagnostics[0]
    assert d.summary == summary
    assert d.range is not None and f"{d.range.start.line}:{d.range.start.column}" == where
    assert d.range.filename == str(tmp_path / FILENAME)
    rendered = info.value.render()
    assert rendered.startswith(f"Error: {summary}\n\n  on {tmp_path / FILENAME} line {where.split(':')[0]}")
