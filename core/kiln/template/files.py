"""Which files make up a template, as Packer finds them.

A directory holds ``*.pkr.hcl`` and ``*.pkr.json`` configuration files and ``*.auto.pkrvars.hcl`` /
``*.auto.pkrvars.json`` variable files (each kind in name order; HCL before JSON). A single file is
loaded alone (auto variable files come only with a directory). ``-var-file`` files follow.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

HCL_EXT = ".pkr.hcl"
JSON_EXT = ".pkr.json"
AUTO_VARS_HCL_EXT = ".auto.pkrvars.hcl"
AUTO_VARS_JSON_EXT = ".auto.pkrvars.json"


def is_hcl2_path(path: str) -> bool:
    """Whether Packer reads ``path`` as HCL2 (a directory, ``*.pkr.hcl`` or ``*.pkr.json``);
    any other file is a legacy JSON template."""
    return os.path.isdir(path) or path.endswith((HCL_EXT, JSON_EXT))


def _matching(path: str, hcl_ext: str, json_ext: str) -> tuple[list[str], list[str]]:
    if not os.path.isdir(path):
        if path.endswith(hcl_ext):
            return [path], []
        if path.endswith(json_ext):
            return [], [path]
        return [], []
    hcl, js = [], []
    for name in sorted(os.listdir(path)):
        full = os.path.normpath(os.path.join(path, name))  # Go's filepath.Join cleans: "a.pkr.hcl", not "./a.pkr.hcl"
        if os.path.isdir(full):
            continue
        if name.endswith(hcl_ext):
            hcl.append(full)
        elif name.endswith(json_ext):
            js.append(full)
    return hcl, js


@dataclass(frozen=True)
class TemplateFiles:
    config_files: list[str]  # HCL files first, then JSON files
    var_files: list[str]  # auto variable files (HCL, then JSON), then each -var-file in order


class VarFileFormatError(ValueError):
    """A ``-var-file`` whose name ends neither in ``.hcl`` nor in ``.json``."""

    def __init__(self, filename: str) -> None:
        super().__init__(f"Could not guess format of {filename}")
        self.filename = filename


def var_file_is_json(filename: str) -> bool:
    if filename.endswith(".json"):
        return True
    if filename.endswith(".hcl"):
        return False
    raise VarFileFormatError(filename)


def find_files(path: str, var_files: Sequence[str] = ()) -> TemplateFiles:
    hcl, js = _matching(path, HCL_EXT, JSON_EXT)
    auto_hcl, auto_js = _matching(path, AUTO_VARS_HCL_EXT, AUTO_VARS_JSON_EXT) if os.path.isdir(path) else ([], [])
    return TemplateFiles(hcl + js, auto_hcl + auto_js + list(var_files))
