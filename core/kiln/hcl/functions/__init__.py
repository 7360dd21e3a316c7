"""Packer's HCL2 built-in functions, with cty's semantics (types, unknowns, marks, error texts).

``FUNCTIONS`` maps every name that needs no template context to its implementation;
``functions_for(base_dir)`` adds the functions that read files relative to the template's directory
(``file``, ``fileexists``, ``fileset``, ``filebase64``, the file hashes, ``templatefile``).

Most entries are ``kiln.hcl.function.Function``. ``try``, ``can`` and ``convert`` are
``ExpressionFunction``s: HCL hands them their argument *expressions* (``fn.call_expressions(call,
ctx, evaluate)``), since ``try`` must catch the errors of evaluating them and ``convert`` reads a type.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from kiln.hcl.function import Function

from . import (
    collection,
    conversion,
    crypto,
    datetime,
    encoding,
    filesystem,
    formatting,
    mapping,
    network,
    numeric,
    regex,
    sequence,
    services,
    string,
    yaml,
)
from .conversion import ExpressionFunction

AnyFunction = Function | ExpressionFunction

_MODULES = (
    numeric,
    string,
    formatting,
    regex,
    collection,
    sequence,
    mapping,
    encoding,
    yaml,
    crypto,
    network,
    datetime,
    filesystem,
    conversion,
    services,
)

_STATIC: dict[str, AnyFunction] = {}
for _module in _MODULES:
    _STATIC.update(_module.FUNCTIONS)
_STATIC.update(conversion.EXPRESSION_FUNCTIONS)

FUNCTIONS: Mapping[str, AnyFunction] = MappingProxyType(dict(sorted(_STATIC.items())))
"""Every function that does not depend on the template's directory."""

FILE_FUNCTION_NAMES = frozenset(filesystem.make(".", dict).keys())


def functions_for(base_dir: str) -> dict[str, AnyFunction]:
    """Every function, the file functions resolving relative paths against ``base_dir``."""
    funcs: dict[str, AnyFunction] = dict(FUNCTIONS)
    funcs.update(filesystem.make(base_dir, lambda: funcs))
    return dict(sorted(funcs.items()))


__all__ = ["FILE_FUNCTION_NAMES", "FUNCTIONS", "AnyFunction", "ExpressionFunction", "functions_for"]
