"""Go's time formatting (reference layout ``Mon Jan 2 15:04:05 MST 2006``) and duration parsing,
for the legacy template functions ``isotime`` and the ``pause_before``/``timeout`` settings."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Longest first within each leading character, as Go's nextStdChunk decides.
_ZONES = ("-07:00:00", "-070000", "-07:00", "-0700", "-07", "Z07:00:00", "Z070000", "Z07:00", "Z0700", "Z07")
_FRACTION = re.compile(r"[.,](0+|9+)(?!\d)")


def _zone(dt: datetime, token: str) -> str:
    off = dt.utcoffset() or timedelta(0)
    if token.startswith("Z") and off == timedelta(0):
        return "Z"
    secs = int(off.total_seconds())
    sign = "-" if secs < 0 else "+"
    secs = abs(secs)
    hh, mm, ss = secs // 3600, secs // 60 % 60, secs % 60
    body = token[1:]
    if body == "07":
        return f"{sign}{hh:02d}"
    if body == "0700":
        return f"{sign}{hh:02d}{mm:02d}"
    if body == "07:00":
        return f"{sign}{hh:02d}:{mm:02d}"
    if body == "070000":
        return f"{sign}{hh:02d}{mm:02d}{ss:02d}"
    return f"{sign}{hh:02d}:{mm:02d}:{ss:02d}"


def _fraction(dt: datetime, spec: str) -> str:
    digits = f"{dt.microsecond:06d}000"[: len(spec) - 1]
    if spec[1] == "9":
        digits = digits.rstrip("0")
        return spec[0] + digits if digits else ""
    return spec[0] + digits


def _starts_lower(s: str) -> bool:
    return bool(s) and "a" <= s[0] <= "z"


def go_format(dt: datetime, layout: str) -> str:
    """``dt.Format(layout)`` with Go's layout tokens."""
    out: list[str] = []
    i = 0
    hour12 = (dt.hour % 12) or 12
    while i < len(layout):
        rest = layout[i:]
        tok, val = _token(dt, rest, layout[:i], hour12)
        if tok:
            out.append(val)
            i += len(tok)
        else:
            out.append(layout[i])
            i += 1
    return "".join(out)


def _token(dt: datetime, rest: str, before: str, hour12: int) -> tuple[str, str]:
    year = f"{dt.year:04d}"
    simple: list[tuple[str, str]] = []
    if rest.startswith("January"):
        return "January", _MONTHS[dt.month - 1]
    if rest.startswith("Jan") and not _starts_lower(rest[3:]):
        return "Jan", _MONTHS[dt.month - 1][:3]
    if rest.startswith("Monday"):
        return "Monday", _DAYS[dt.weekday()]
    if rest.startswith("Mon") and not _starts_lower(rest[3:]):
        return "Mon", _DAYS[dt.weekday()][:3]
    if rest.startswith("MST"):
        return "MST", dt.tzname() or "UTC"
    m = _FRACTION.match(rest)
    if m and before and before[-1].isdigit():
        return m.group(0), _fraction(dt, m.group(0))
    for z in _ZONES:
        if rest.startswith(z):
            return z, _zone(dt, z)
    doy = dt.timetuple().tm_yday
    simple = [
        ("2006", year), ("002", f"{doy:03d}"), ("01", f"{dt.month:02d}"), ("02", f"{dt.day:02d}"),
        ("03", f"{hour12:02d}"), ("04", f"{dt.minute:02d}"), ("05", f"{dt.second:02d}"),
        ("06", year[-2:]), ("__2", f"{doy:3d}"), ("_2", f"{dt.day:2d}"), ("15", f"{dt.hour:02d}"),
        ("1", str(dt.month)), ("2", str(dt.day)), ("3", str(hour12)), ("4", str(dt.minute)),
        ("5", str(dt.second)), ("PM", "PM" if dt.hour >= 12 else "AM"), ("pm", "pm" if dt.hour >= 12 else "am"),
    ]
    for tok, val in simple:
        if rest.startswith(tok):
            return tok, val
    return "", ""


RFC3339 = "2006-01-02T15:04:05Z07:00"

