"""Go's ``time.ParseDuration`` (what Packer uses for ``pause_before`` and ``timeout``), in seconds."""

from __future__ import annotations

import re

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")


class DurationError(ValueError):
    pass


def parse_duration(text: str) -> float:
    """Seconds in ``text`` ("1m30s", "500ms", "-1.5h"); raises ``DurationError`` with Go's wording."""
    quoted = '"' + text + '"'
    s = text
    sign = 1.0
    if s[:1] in "+-" and s:
        sign = -1.0 if s[0] == "-" else 1.0
        s = s[1:]
    if s == "0":
        return 0.0
    if not s:
        raise DurationError(f"time: invalid duration {quoted}")
    total = 0.0
    pos = 0
    while pos < len(s):
        m = _PART.match(s, pos)
        assert m is not None
        number, unit = m.group(1), m.group(2)
        if not number or number == ".":
            raise DurationError(f"time: invalid duration {quoted}")
        if not unit:
            raise DurationError(f"time: missing unit in duration {quoted}")
        if unit not in _UNITS:
            raise DurationError(f'time: unknown unit "{unit}" in duration {quoted}')
        total += float(number) * _UNITS[unit]
        pos = m.end()
    return sign * total
