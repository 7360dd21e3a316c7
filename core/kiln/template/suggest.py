"""HCL's "Did you mean ...?" hints: the closest known name within a Levenshtein distance of 2."""

from __future__ import annotations

from collections.abc import Iterable

from kiln.hcl.access import levenshtein


def closest(name: str, known: Iterable[str]) -> str | None:
    best, best_dist = None, 3
    for k in known:
        dist = levenshtein(name, k)
        if dist < best_dist:
            best, best_dist = k, dist
    return best


def suggestion(name: str, known: Iterable[str]) -> str:
    """`` Did you mean "x"?`` or an empty string."""
    hit = closest(name, known)
    return f' Did you mean "{hit}"?' if hit else ""
