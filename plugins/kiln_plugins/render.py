"""The one place the bundled plugins render Packer's Go-template strings (``{{.Vars}}``, ``{{.BuildName}}``...).

Packer renders some settings inside the component, at run time, with per-call data: shell-local's
``execute_command``, inline commands and ``environment_vars``; checksum's and compress's ``output``;
manifest's ``custom_data``. The data is a map (a missing field prints ``<no value>``, as in Go) and the
functions are Packer's build-time ones (``build_name``, ``build_type``, ``template_dir``, ``pwd``,
``timestamp``, ``uuid``, ``upper``, ``lower``, ``split``, ``replace``, ``replace_all``, ``packer_version``).
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from kiln_sdk import gotemplate
from kiln_sdk.components import BuildInfo
from kiln_sdk.diagnostics import BuildError

_INIT_TIME = str(int(time.time()))  # Packer's {{timestamp}}: one value for the whole run


def _split(s: str, sep: str, index: int) -> str:
    parts = s.split(sep) if sep else list(s)
    if not 0 <= index < len(parts):
        raise ValueError(f"the substring {index} was unavailable using the separator value, {sep}, only {len(parts)} values were found")
    return parts[index]


def _replace(old: str, new: str, n: int, src: str) -> str:
    return src.replace(old, new, n if n >= 0 else -1)


def _replace_all(old: str, new: str, src: str) -> str:
    return src.replace(old, new)


def _upper(s: str) -> str:
    return s.upper()


def _lower(s: str) -> str:
    return s.lower()


def _clean_resource_name(s: str) -> str:
    return re.sub(r"[^-a-z0-9]", "-", s.lower())[:63]


def packer_funcs(info: BuildInfo) -> dict[str, Callable[..., Any]]:
    """Packer's interpolation functions that make sense inside a running component."""
    return {
        "build_name": lambda: info.build_name,
        "build_type": lambda: info.builder_type,
        "template_dir": lambda: info.template_dir,
        "packer_version": lambda: info.core_version,
        "pwd": os.getcwd,
        "timestamp": lambda: _INIT_TIME,
        "uuid": lambda: uuid.uuid4().hex,
        "upper": _upper,
        "lower": _lower,
        "split": _split,
        "replace": _replace,
        "replace_all": _replace_all,
        "clean_resource_name": _clean_resource_name,
    }


def render(template: str, data: Mapping[str, Any], info: BuildInfo) -> str:
    """Render ``template`` with ``data`` as Go's ``.``; raise BuildError with Go's wording on failure."""
    if "{{" not in template:
        return template
    ctx = gotemplate.Context(data=dict(data), funcs=packer_funcs(info), missing_field="no_value")
    try:
        return gotemplate.render(template, ctx)
    except gotemplate.TemplateError as exc:
        raise BuildError(str(exc)) from exc
