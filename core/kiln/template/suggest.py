"""HCL's "Did you mean ...?" hints: the closest known name within a Levenshtein distance of 2."""

from __future__ import annotations

from collections.abc import Iterable


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


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
