"""Character classes RE2 knows and Python's ``re`` does not: Unicode general categories and scripts,
POSIX classes and their complements, as ranges of code points rendered into a ``[...]`` body."""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

Ranges = tuple[tuple[int, int], ...]


def scan(pred: object) -> Ranges:
    out: list[tuple[int, int]] = []
    start = -1
    for cp in range(sys.maxunicode + 2):
        inside = cp <= sys.maxunicode and pred(cp)  # type: ignore[operator]
        if inside and start < 0:
            start = cp
        elif not inside and start >= 0:
            out.append((start, cp - 1))
            start = -1
    return tuple(out)


@functools.lru_cache(maxsize=64)
def category_ranges(prefix: str) -> Ranges:
    """The code points of Unicode general category ``prefix`` (``L``, ``Lu``, ``Nd``...)."""
    return scan(lambda cp: unicodedata.category(chr(cp)).startswith(prefix))


_SCRIPT_PREFIXES = {
    "Han": ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"),
    "Common": (),
}
SCRIPTS = frozenset(
    "Latin Greek Cyrillic Armenian Hebrew Arabic Syriac Thaana Devanagari Bengali Gurmukhi Gujarati Oriya "
    "Tamil Telugu Kannada Malayalam Sinhala Thai Lao Tibetan Myanmar Georgian Hangul Ethiopic Cherokee "
    "Khmer Mongolian Hiragana Katakana Bopomofo Han".split()
)


@functools.lru_cache(maxsize=64)
def script_ranges(name: str) -> Ranges:
    """Approximately Go's script table: the characters whose Unicode name starts with the script's."""
    prefixes = _SCRIPT_PREFIXES.get(name) or (name.upper() + " ",)
    return scan(lambda cp: unicodedata.name(chr(cp), "").startswith(prefixes))


def ascii_ranges(body: str) -> Ranges:
    cps = sorted({cp for cp in range(128) if re.fullmatch(f"[{body}]", chr(cp))})
    out: list[tuple[int, int]] = []
    for cp in cps:
        if out and out[-1][1] == cp - 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return tuple(out)


def complement(ranges: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    nxt = 0
    for lo, hi in ranges:
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= sys.maxunicode:
        out.append((nxt, sys.maxunicode))
    return tuple(out)


def render(ranges: Ranges) -> str:
    return "".join(_esc(lo) if lo == hi else f"{_esc(lo)}-{_esc(hi)}" for lo, hi in ranges)


def _esc(cp: int) -> str:
    return f"\\U{cp:08x}"


CATEGORIES = frozenset(
    "C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs".split()
)
