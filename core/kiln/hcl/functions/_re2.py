"""Go's regular expressions run by RE2 (``google-re2``): linear time in the length of the input, as
Go's ``regexp`` package, so no pattern can make ``regex`` hang (``(a+)+$`` included).

The pattern is first checked with Go's rules by ``_regex.compile_go`` (Go's error messages, and the
capture group names as Go lists them); the checked pattern is then compiled by RE2, whose syntax is
Go's. A pattern RE2 itself refuses although Go accepts it (RE2 is stricter on a few corner cases) runs
on the translation to Python's ``re`` instead: ``engine`` tells which one a pattern uses.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import re2

from ._regex import compile_go
from ._regexrun import group_names

__all__ = ["GoRegexp", "compile_regexp"]

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print its parse errors on stderr


@dataclass(frozen=True)
class GoRegexp:
    """A compiled pattern: ``search(s, pos)`` gives match objects with ``start/end/group``."""

    pattern: str
    names: list[str]  # Go's SubexpNames()[1:]
    compiled: Any  # re2's pattern, or Python's re.Pattern for the fallback
    engine: str  # "re2" | "re"

    @property
    def groups(self) -> int:
        return len(self.names)

    def search(self, s: str, pos: int = 0) -> Any:
        return self.compiled.search(s, pos)


@functools.lru_cache(maxsize=256)
def compile_regexp(pattern: str) -> GoRegexp:
    """Compile a Go pattern; raises ``GoSyntaxError`` (Go's messages) when Go would refuse it."""
    translated: re.Pattern[str] = compile_go(pattern)
    names = group_names(translated)
    try:
        compiled = re2.compile(pattern, _OPTIONS)
    except re2.error:
        return GoRegexp(pattern, names, translated, "re")
    if compiled.groups != translated.groups:  # never seen; keep group numbering consistent regardless
        return GoRegexp(pattern, names, translated, "re")
    return GoRegexp(pattern, names, compiled, "re2")
