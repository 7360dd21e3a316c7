"""The legacy template JSON reader: positions of values and keys, Go's syntax errors, Packer's report."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from kiln.template.legacy.jsonvalue import JSONSyntaxError, parse_json, parse_json_checked

PACKER = "/usr/bin/packer"


def test_values_keep_their_positions() -> None:
    text = '{\n  "builders": [\n    {"type": "null", "n": -1.5e2, "ok": true, "x": null}\n  ]\n}\n'
    doc = parse_json(text, "t.json")
    assert doc.range.start.line == 1 and doc.range.end.line == 5
    builders = doc.value["builders"]
    assert (builders.range.start.line, builders.range.start.column) == (2, 15)
    assert (doc.key_ranges["builders"].start.line, doc.key_ranges["builders"].start.column) == (2, 3)
    obj = builders.value[0]
    assert obj.value["type"].value == "null"
    assert (obj.value["type"].range.start.line, obj.value["type"].range.start.column) == (3, 14)
    assert obj.value["n"].value == -150.0 and obj.value["ok"].value is True and obj.value["x"].value is None
    assert obj.plain() == {"type": "null", "n": -150.0, "ok": True, "x": None}
    assert obj.value["n"].go_type() == "float64"


def test_strings_and_numbers() -> None:
    doc = parse_json(r'["a\"b\\\/\b\f\n\r\t", "\u00e9\ud83d\ude00", 0, 12, -0.5, 1E3]', "t.json")
    assert doc.plain() == ['a"b\\/\b\f\n\r\t', "é😀", 0, 12, -0.5, 1000.0]
    assert isinstance(doc.value[3].value, int)


def test_duplicate_key_is_reported_last_wins() -> None:
    doc, dup = parse_json_checked('{"a": {"b": 1, "b": 2}}', "t.json")
    assert doc.plain() == {"a": {"b": 2}}
    assert dup is not None and dup[0] == "b" and dup[1].start.column == 16


MALFORMED = [
    '{\n  "builders": [\n    {"type": "null",}\n  ]\n}\n',
    '{\n  "builders": [\n    {"type": "null"}\n  ]\n',
    '{"builders": [1 2]}',
    '{"builders" [1]}',
    '{"a": tru}',
    '{"a": trux}',
    '{"a": "x\ty"}',
    '{"a": "\\q"}',
    '{"a": "\\u12G4"}',
    '{"a": -x}',
    '{"a": 1.}',
    '{"a": 1e+}',
    '{"a": 01}',
    '{"a": 1} x',
    '\n\n   @',
    '{"a": "é" x}',
    "{'a': 1}",
    '',
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_json_is_reported_with_line_and_column(text: str) -> None:
    with pytest.raises(JSONSyntaxError) as exc:
        parse_json(text, "t.json")
    assert exc.value.line >= 1
    assert "At line" in str(exc.value) and str(exc.value).endswith("^\n")


def test_error_text_matches_packer_exactly() -> None:
    with pytest.raises(JSONSyntaxError) as exc:
        parse_json(MALFORMED[0], "t.json")
    assert str(exc.value) == (
        "Error parsing JSON: invalid character '}' looking for beginning of object key string\n"
        "At line 3, column 22 (offset 39):\n"
        "    2:   \"builders\": [\n"
        "    3:     {\"type\": \"null\",}\n"
        "                           ^\n"
    )


@pytest.mark.skipif(not shutil.which(PACKER), reason="Packer 1.6.6 is the oracle")
@pytest.mark.parametrize("text", [t for t in MALFORMED if t])
def test_malformed_json_matches_packer(tmp_path: Path, text: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(text)
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "HOME": str(tmp_path)}
    proc = subprocess.run([PACKER, "validate", str(path)], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 1
    with pytest.raises(JSONSyntaxError) as exc:
        parse_json(text, str(path))
    assert proc.stdout + proc.stderr == f"Failed to parse template: {exc.value}\n"


def test_a_byte_order_mark_is_an_invalid_character_as_in_go() -> None:
    with pytest.raises(JSONSyntaxError) as exc:
        parse_json('\ufeff{"builders": []}', "t.json")
    assert exc.value.message == "invalid character 'ï' looking for beginning of value"
    assert (exc.value.line, exc.value.col, exc.value.offset) == (1, 1, 1)
