"""What expressions can refer to: ``var``, ``local``, ``data``, ``path``, ``packer``, ``source``, ``build``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiln.hcl.convert import object_type
from kiln.hcl.functions import AnyFunction
from kiln.hcl.values import DYNAMIC, Value, string, unknown
from kiln.template.hclapi import EvalContext
from kiln.template.model import PACKER_COMPAT_VERSION


def go_dir(path: str) -> str:
    """Go's ``filepath.Dir``: everything but the last element, cleaned; ``.`` when nothing is left."""
    head = os.path.dirname(path)
    return os.path.normpath(head) if head else "."


def obj(values: Mapping[str, Value]) -> Value:
    return Value(object_type({k: v.type for k, v in values.items()}), dict(values))


@dataclass
class Scope:
    """The values every expression of a template sees, plus the functions it may call."""

    base_dir: str  # path.root
    cwd: str  # path.cwd
    functions: Mapping[str, AnyFunction]
    variables: dict[str, Value] = field(default_factory=dict)
    locals: dict[str, Value] = field(default_factory=dict)
    data: dict[str, dict[str, Value]] = field(default_factory=dict)

    def values(self) -> dict[str, Value]:
        return {
            "var": obj(self.variables),
            "local": obj(self.locals),
            "data": obj({t: obj(by_name) for t, by_name in self.data.items()}),
            "path": obj({"root": string(self.base_dir), "cwd": string(self.cwd)}),
            "packer": obj({"version": string(PACKER_COMPAT_VERSION)}),
        }

    def context(self, extra: Mapping[str, Value] | None = None) -> EvalContext:
        values = self.values()
        values.update(extra or {})
        funcs: dict[str, Any] = dict(self.functions)
        return EvalContext(values, funcs)


def source_value(type_: str, name: str) -> Value:
    return obj({"type": string(type_), "name": string(name)})


BUILDER_DATA_COMMON_KEYS = (
    "ID", "Host", "Port", "User", "Password", "ConnType", "PackerRunUUID", "PackerHTTPAddr", "PackerHTTPIP",
    "PackerHTTPPort", "SSHPublicKey", "SSHPrivateKey", "WinRMPassword",
)
"""What every ``build`` object has; a builder that does not set one gives ``"<unknown>"`` (as in Packer)."""


def build_value(build_vars: Mapping[str, Value] | None, build_name: str = "") -> Value:
    """``build.*``: the builder's generated data and ``build.name`` (the build block's name), or
    unknown before the build runs."""
    if build_vars is None:
        return unknown(DYNAMIC)
    values = {key: string("<unknown>") for key in BUILDER_DATA_COMMON_KEYS}
    values.update(build_vars)
    values["name"] = string(build_name)
    return obj(values)
