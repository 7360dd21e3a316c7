"""Packer's HCL2 built-in functions.

``FUNCTIONS`` maps every name that needs no template context to its ``Function``; ``functions_for``
adds the ones bound to the template's directory (``file``, ``templatefile``, ``fileset``...).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from kiln.hcl.function import Function

from . import (
    collection,
    crypto,
    datetime,
    encoding,
    formatting,
    mapping,
    network,
    numeric,
    regex,
    string,
    yaml,
)

_STATIC: dict[str, Function] = {}
for _module in (
    numeric,
    string,
    formatting,
    regex,
    collection,
    mapping,
    encoding,
    yaml,
    crypto,
    network,
    datetime,
):
    _STATIC.update(_module.FUNCTIONS)

FUNCTIONS: Mapping[str, Function] = MappingProxyType(dict(sorted(_STATIC.items())))


def functions_for(base_dir: str) -> dict[str, Function]:
    """Every function, with the file functions resolving relative paths against ``base_dir``."""
    return dict(FUNCTIONS)


__all__ = ["FUNCTIONS", "functions_for"]
