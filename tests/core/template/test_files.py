from __future__ import annotations

from pathlib import Path

import pytest
from kiln.template.files import VarFileFormatError, find_files, is_hcl2_path, var_file_is_json


def test_directory_lists_hcl_then_json_and_auto_var_files(tmp_path: Path) -> None:
    for name in ["b.pkr.hcl", "a.pkr.json", "a.pkr.hcl", "x.pkrvars.hcl", "z.auto.pkrvars.hcl",
                 "y.auto.pkrvars.json", "a.auto.pkrvars.hcl", "notes.txt"]:
        (tmp_path / name).write_text("")
    (tmp_path / "sub.pkr.hcl").mkdir()
    files = find_files(str(tmp_path), ["extra.pkrvars.hcl"])
    assert [Path(f).name for f in files.config_files] == ["a.pkr.hcl", "b.pkr.hcl", "a.pkr.json"]
    assert [Path(f).name for f in files.var_files] == [
        "a.auto.pkrvars.hcl", "z.auto.pkrvars.hcl", "y.auto.pkrvars.json", "extra.pkrvars.hcl"]


def test_single_file_has_no_auto_var_files(tmp_path: Path) -> None:
    (tmp_path / "a.auto.pkrvars.hcl").write_text("")
    f = tmp_path / "t.pkr.hcl"
    f.write_text("")
    files = find_files(str(f))
    assert files.config_files == [str(f)] and files.var_files == []


def test_kinds(tmp_path: Path) -> None:
    assert is_hcl2_path(str(tmp_path))
    assert is_hcl2_path("a.pkr.json") and is_hcl2_path("a.pkr.hcl")
    assert not is_hcl2_path("template.json")
    assert var_file_is_json("v.json") and not var_file_is_json("v.pkrvars.hcl")
    with pytest.raises(VarFileFormatError):
        var_file_is_json("v.txt")
