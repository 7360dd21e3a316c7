"""Differential test of parse diagnostics and their rendering against ``packer validate`` (1.6.6):
for templates with syntax errors, kiln's ``render`` of ``parse_body``'s diagnostics — summary, the
"on file line N, in block" header, the source lines, the word-wrapped detail — must equal Packer's
output byte for byte."""

from __future__ import annotations

import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from kiln.hcl.diagnostics import DiagnosticError
from kiln.hcl.parse import parse_body
from kiln.hcl.render import render

from tests.core.hcl.console_oracle import PACKER, packer_available

TEMPLATES = {
    "missing_newline": 'source "null" "a" {\n  communicator = "none"\n  x = 1 y = 2\n}\n',
    "redefined": "a = 1\na = 2\n",
    "unclosed_block": 'source "null" "a" {\n  communicator = "none"\n',
    "equals_block": 'source "null" "a" = {\n}\n',
    "item_separator": "locals {\n  x = [1,\n    2\n    3]\n}\n",
    "multiline_string": 'locals {\n  x = "abc\n}\n',
    "dangling_operator": "locals {\n  x = 1 +\n}\n",
    "unterminated_interp": 'variable "v" {\n  default = "${"\n}\n',
    "single_line_block": "locals { x = 1, y = 2 }\n",
    "invalid_character": "locals {\n  x = @\n}\n",
    "comma_after_argument": "locals {\n  x = 1,\n}\n",
    "bad_label": 'source "null" 1 {\n}\n',
    "quoted_argument": 'locals {\n  "x" = 1\n}\n',
    "object_separator": "locals {\n  x = {\n    a = 1 b = 2\n  }\n}\n",
    "unterminated_heredoc": "locals {\n  x = <<EOF\n  text\n}\n",
    "for_without_in": "locals {\n  x = [for a b: a]\n}\n",
    "missing_paren": "locals {\n  x = (1 + 2\n}\n",
    "bitwise": "locals {\n  x = 1 & 2\n}\n",
    "nested_block_error": 'build {\n  provisioner "shell" {\n    inline = [\n      "a"\n      "b"\n    ]\n  }\n}\n',
    "interpolated_label": 'source "null" "a${1}" {\n}\n',
    "directive_label": 'source "null" "a%{if true}x%{endif}" {\n}\n',
    "escaped_label_context": 'source "a\\"b" "x" {\n  x =\n}\n',
    "crlf": "locals {\r\n  a = 1\r\n}\r\nlocals { b = }\r\n",
    "attr_after_error_line": 'variable "a" {\n  type = string\n  default = "x" "y"\n}\n',
}


def _packer_validate(text: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "t.pkr.hcl"), "w", encoding="utf-8") as f:
            f.write(text)
        proc = subprocess.run(
            [PACKER, "validate", "t.pkr.hcl"],
            capture_output=True,
            cwd=tmp,
            timeout=60,
            env={**os.environ, "CHECKPOINT_DISABLE": "1", "PACKER_NO_COLOR": "1"},
        )
    assert proc.returncode == 1, proc.stdout
    return proc.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def packer_output() -> dict[str, str]:
    if not packer_available():
        pytest.skip("Debian's packer (1.6.6) is not installed")
    with ThreadPoolExecutor(4) as pool:
        return dict(zip(TEMPLATES, pool.map(_packer_validate, TEMPLATES.values()), strict=True))


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_parse_diagnostics_render_like_packer(name: str, packer_output: dict[str, str]) -> None:
    text = TEMPLATES[name]
    with pytest.raises(DiagnosticError) as err:
        parse_body(text, "t.pkr.hcl")
    assert render(err.value.diagnostics, lambda _f: text) + "\n" == packer_output[name]
