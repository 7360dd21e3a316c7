"""Packer's config interpolation for plugins: render Go-template strings (``{{.Vars}}``, ``{{.BuildName}}``...).

Public as ``from kiln_sdk import render, interpolate_config, packer_funcs``. Packer renders some settings inside the component, at run time, with per-call data: shell-local's
``execute_command``, inline commands and ``environment_vars``; checksum's and compress's ``output``;
manifest's ``custom_data``. The data is a map (a missing field prints ``<no value>``, as in Go) and the
functions are Packer's build-time ones (``build_name``, ``build_type``, ``template_dir``, ``pwd``,
``timestamp``, ``uuid``, ``upper``, ``lower``, ``split``, ``replace``, ``replace_all``, ``packer_version``).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from kiln_sdk.components import BuildInfo
from kiln_sdk.diagnostics import BuildError, Diagnostics
from kiln_sdk.gotime import RFC3339, go_format
from kiln_sdk.gotime import strftime as go_strftime

_INIT = datetime.now(UTC)  # Packer's InitTime: one instant behind {{timestamp}}, {{isotime}}, {{strftime}}
_INIT_TIME = str(int(_INIT.timestamp()))


def _isotime(*layout: str) -> str:
    if len(layout) > 1:
        raise ValueError("too many values, 1 needed: " + ", ".join(layout))
    return go_format(_INIT, layout[0] if layout else RFC3339)


def _strftime(fmt: str) -> str:
    return go_strftime(fmt, _INIT)


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


def _uuid() -> str:
    import uuid

    return uuid.uuid4().hex


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
        "isotime": _isotime,
        "strftime": _strftime,
        "uuid": _uuid,
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
    import kiln_sdk.gotemplate as gotemplate  # only when there is something to render: it costs plugin start time

    ctx = gotemplate.Context(data=dict(data), funcs=packer_funcs(info), missing_field="no_value")
    try:
        return gotemplate.render(template, ctx)
    except gotemplate.TemplateError as exc:
        raise BuildError(str(exc)) from exc


def interpolate_config(config: Any, info: BuildInfo, exclude: Collection[str] = ()) -> None:
    """Packer's ``config.Decode(..., Interpolate: true)``: render every string setting in place, once, at
    prepare/configure time, with no data (``{{.Foo}}`` gives ``<no value>``) and the build functions.

    Settings named in ``exclude`` are rendered later, at run time, with per-call data (e.g. shell-local's
    ``execute_command``, checksum's ``output``). A template that does not parse is a ConfigError at its path.
    """
    diags = Diagnostics()
    for f in dataclasses.fields(config):
        name = (f.metadata.get("kiln") or {}).get("name") or f.name
        if name not in exclude:
            setattr(config, f.name, _interpolate(getattr(config, f.name), info, (name,), diags))
    diags.raise_if_errors()


def _interpolate(value: Any, info: BuildInfo, path: tuple[str, ...], diags: Diagnostics) -> Any:
    if isinstance(value, str):
        try:
            return render(value, {}, info)
        except BuildError as exc:
            diags.error("Invalid template", str(exc), path)
            return value
    if isinstance(value, list):
        return [_interpolate(v, info, (*path, str(i)), diags) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _interpolate(v, info, (*path, str(k)), diags) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            name = (f.metadata.get("kiln") or {}).get("name") or f.name
            setattr(value, f.name, _interpolate(getattr(value, f.name), info, (*path, name), diags))
    return value
