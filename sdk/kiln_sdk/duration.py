"""Go's durations, as Packer's settings use them: ``time.ParseDuration`` ("5m", "1h30m", "300ms",
"-1.5h") with Go's error wording, and ``time.Duration.String`` ("100ms", "1.5s", "5m0s")."""

from __future__ import annotations

import re

_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
          "h": 3600 * 10**9}
_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)")
_MAX = 2**63 - 1


class DurationError(ValueError):
    """Not a Go duration; the message is Go's (``time: invalid duration "x"``)."""


def parse_duration_ns(text: str) -> int:
    """Go's ``time.ParseDuration``: the nanoseconds in ``text`` ("5m", "1h30m", "300ms", "-1.5h"), exact as
    Go's integer arithmetic; raises ``DurationError`` with Go's wording (also past Go's int64 range)."""
    quoted = '"' + text + '"'
    s = text
    negative = False
    if s[:1] in "+-" and s:
        negative = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise DurationError(f"time: invalid duration {quoted}")
    total = 0
    pos = 0
    while pos < len(s):
        m = _PART.match(s, pos)
        assert m is not None  # the pattern matches the empty string
        whole, frac, unit = m.group(1), m.group(2) or "", m.group(3)
        if not whole and not frac:
            raise DurationError(f"time: invalid duration {quoted}")
        if not unit:
            raise DurationError(f"time: missing unit in duration {quoted}")
        if unit not in _UNITS:
            raise DurationError(f'time: unknown unit "{unit}" in duration {quoted}')
        scale = _UNITS[unit]
        total += int(whole or "0") * scale
        if frac:
            total += int(frac) * scale // 10 ** len(frac)
        if total > _MAX:
            raise DurationError(f"time: invalid duration {quoted}")
        pos = m.end()
    return -total if negative else total


def parse_duration(text: str) -> float:
    """Seconds in ``text`` (Go's ``time.ParseDuration``); raises ``DurationError`` with Go's wording."""
    return parse_duration_ns(text) / 1e9


def _trim(number: float) -> str:
    text = f"{number:.9f}".rstrip("0").rstrip(".")
    return text or "0"


def format_duration(seconds: float) -> str:
    """Go's ``time.Duration.String``: ``100ms``, ``1.5s``, ``5m0s``, ``1h2m5s``."""
    ns = round(seconds * 1e9)
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns == 0:
        return "0s"
    if ns < 1_000:
        return f"{sign}{ns}ns"
    if ns < 1_000_000:
        return f"{sign}{_trim(ns / 1e3)}µs"
    if ns < 1_000_000_000:
        return f"{sign}{_trim(ns / 1e6)}ms"
    hours, rest = divmod(ns, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    secs = _trim(rest / 1e9) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{secs}"
    if minutes:
        return f"{sign}{minutes}m{secs}"
    return sign + secs
