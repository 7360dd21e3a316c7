"""Packer's duration wording: ``durafmt.Parse(d).LimitFirstN(2)`` of hako/durafmt, as Packer 1.6.6 prints it.

Examples: ``18 milliseconds 66 microseconds``, ``1 minute 2 seconds``, ``0 seconds``.
Each unit is truncated (never rounded), zero units are left out, a unit of 1 is singular,
and only the first ``limit`` non-zero units are kept.
"""

from __future__ import annotations

_NS = 1
_US = 1_000 * _NS
_MS = 1_000 * _US
_S = 1_000 * _MS
_MIN = 60 * _S
_HOUR = 60 * _MIN
_DAY = 24 * _HOUR


def _units(ns: int) -> list[tuple[str, int]]:
    """Split a non-negative duration in nanoseconds into durafmt's eight units, largest first."""
    total_days = ns // _DAY
    years = total_days // 365
    days_in_year = total_days % 365
    weeks = days_in_year // 7
    days = days_in_year % 7
    hours = (ns // _HOUR) % 24
    minutes = (ns // _MIN) % 60
    seconds = (ns // _S) % 60
    milliseconds = (ns // _MS) % 1000
    microseconds = (ns // _US) % 1000
    return [
        ("years", years),
        ("weeks", weeks),
        ("days", days),
        ("hours", hours),
        ("minutes", minutes),
        ("seconds", seconds),
        ("milliseconds", milliseconds),
        ("microseconds", microseconds),
    ]


def format_duration(seconds: float, limit: int = 2) -> str:
    """Packer's wording of a duration given in seconds (``limit`` = 0 keeps every unit)."""
    ns = int(round(seconds * 1e9))
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns == 0:
        return "0 seconds"
    words: list[str] = []
    for unit, value in _units(ns):
        if value == 1:
            words += [str(value), unit.rstrip("s")]
        elif value > 1:
            words += [str(value), unit]
    if limit > 0:
        words = words[: 2 * limit]
    # Below one microsecond durafmt has no unit to show and prints nothing, like Packer.
    return sign + " ".join(words) if words else ""
