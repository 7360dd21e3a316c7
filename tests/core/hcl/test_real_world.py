"""HCL behaviour met in public Packer templates (tried as a new user would), each reduced to a small
self-made case: what kiln got wrong with them, and now gets right."""

from __future__ import annotations

from pathlib import Path

import pytest
from kiln.hcl.jsonnav import json_context
from kiln.template import TemplateError, load_template

DOC = """{
  "variable": {"region": {"default": 1, "type": "list(string)"}},
  "build": [{"a": 1}, {"provisioner": [{"shell": {"inline": ["x"]}}]}]
}"""


@pytest.mark.parametrize(("needle", "path"), [
    ('1, "type"', "variable.region"),  # an object property's scalar: the path stops at its object
    ('"x"', "build[1].provisioner[0].shell.inline"),
    ('"a"', "build[0]"),
    ('"variable"', ""),  # the root object's own keys: no path
])
def test_json_navigation_path(needle: str, path: str) -> None:
    assert json_context(DOC, DOC.index(needle)) == path


def test_invalid_json_has_no_path() -> None:
    assert json_context('{"a": {"b": 1} trailing', 8) == ""


def test_diagnostics_in_json_files_name_their_place(tmp_path: Path) -> None:
    # Packer prints "on FILE line N, in PATH:" for JSON files too (HCL's JSON navigation): seen with a
    # var file of a real template and with an HCL-JSON template; kiln printed no ", in ..." for them.
    (tmp_path / "t.pkr.json").write_text('{\n  "variable": {"v": {"default": "x", "type": "number"}},\n'
                                         '  "source": {"null": {"x": {"communicator": "none"}}},\n'
                                         '  "build": {"sources": ["source.null.x"]}\n}\n')
    with pytest.raises(TemplateError) as info:
        load_template(str(tmp_path), env={})
    assert "  on t.pkr.json line 2, in variable.v:\n" in info.value.render().replace(str(tmp_path) + "/", "")

    (tmp_path / "t.pkr.json").write_text('{"variable": {"tags": {"type": "map(string)", "default": {}}},\n'
                                         ' "source": {"null": {"x": {"communicator": "none"}}},\n'
                                         ' "build": {"sources": ["source.null.x"]}}\n')
    (tmp_path / "v.auto.pkrvars.json").write_text('{"tags": {"a": ["not", "a", "string"]}}')
    with pytest.raises(TemplateError) as info:
        load_template(str(tmp_path), env={})
    assert "  on v.auto.pkrvars.json line 1, in tags:\n" in info.value.render().replace(str(tmp_path) + "/", "")
