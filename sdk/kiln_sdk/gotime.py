"""Go's time formatting, as Packer's templates use it: ``Time.Format`` with Go's reference-time layouts
(``isotime``, ``legacy_isotime``) and ``jehiah/go-strftime`` (``strftime``, ``legacy_strftime``). Shared
by the core's template functions and the plugins' own interpolation."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

RFC3339 = "2006-01-02T15:04:05Z07:00"

MONTHS = "January February March April May June July August September October November December".split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

# Go's layout elements, longest first where one is a prefix of another
_STD = [
    "January", "Jan", "Monday", "Mon", "MST",
    "Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07",
    "-070000", "-07:00:00", "-0700", "-07:00", "-07",
    "2006", "002", "__2", "_2", "01", "02", "03", "04", "05", "06", "15",
    "1", "2", "3", "4", "5", "PM", "pm",
]  # fmt: skip
_FRACTION = re.compile(r"[.,](0+|9+)(?![0-9])")


def _offset_text(dt: datetime, std: str) -> str:
    off = dt.utcoffset() or timedelta(0)
    secs = int(off.total_seconds())
    if std.startswith("Z") and secs == 0:
        return "Z"
    sign = "-" if secs < 0 else "+"
    secs = abs(secs)
    hh, mm, ss = secs // 3600, secs // 60 % 60, secs % 60
    body = std.lstrip("Z-")
    if body == "07":
        return f"{sign}{hh:02d}"
    if body == "0700":
        return f"{sign}{hh:02d}{mm:02d}"
    if body == "07:00":
        return f"{sign}{hh:02d}:{mm:02d}"
    if body == "070000":
        return f"{sign}{hh:02d}{mm:02d}{ss:02d}"
    return f"{sign}{hh:02d}:{mm:02d}:{ss:02d}"


def _std_text(dt: datetime, std: str) -> str:
    h12 = dt.hour % 12 or 12
    table = {
        "January": MONTHS[dt.month - 1],
        "Jan": MONTHS[dt.month - 1][:3],
        "Monday": DAYS[dt.weekday()],
        "Mon": DAYS[dt.weekday()][:3],
        "MST": dt.tzname() or "UTC",
        "2006": f"{dt.year:04d}",
        "06": f"{dt.year % 100:02d}",
        "01": f"{dt.month:02d}",
        "1": str(dt.month),
        "02": f"{dt.day:02d}",
        "_2": f"{dt.day:2d}",
        "__2": f"{dt.timetuple().tm_yday:3d}",
        "002": f"{dt.timetuple().tm_yday:03d}",
        "2": str(dt.day),
        "15": f"{dt.hour:02d}",
        "03": f"{h12:02d}",
        "3": str(h12),
        "04": f"{dt.minute:02d}",
        "4": str(dt.minute),
        "05": f"{dt.second:02d}",
        "5": str(dt.second),
        "PM": "PM" if dt.hour >= 12 else "AM",
        "pm": "pm" if dt.hour >= 12 else "am",
    }
    if std in table:
        return table[std]
    return _offset_text(dt, std)


def go_format(dt: datetime, layout: str) -> str:
    """``dt.Format(layout)`` with Go's reference-time layout (Mon Jan 2 15:04:05 MST 2006)."""
    out: list[str] = []
    i = 0
    while i < len(layout):
        frac = _FRACTION.match(layout, i) if layout[i] in ".," else None
        if frac:
            digits = len(frac.group(1))
            micro = f"{dt.microsecond:06d}" + "000"
            text = micro[:digits]
            if frac.group(1)[0] == "9":
                text = text.rstrip("0")
                out.append(layout[i] + text if text else "")
            else:
                out.append(layout[i] + text)
            i = frac.end()
            continue
        for std in _STD:
            if layout.startswith(std, i) and _std_ok(layout, i, std):
                out.append(_std_text(dt, std))
                i += len(std)
                break
        else:
            out.append(layout[i])
            i += 1
    return "".join(out)


def _std_ok(layout: str, i: int, std: str) -> bool:
    """Go's special cases: "Jan"/"Mon" only before a non-lowercase letter, "2006" beats "2"..."""
    nxt = layout[i + len(std) : i + len(std) + 1]
    if std in ("Jan", "Mon"):
        return not (nxt.islower() and nxt.isalpha())
    return True


_STRFTIME = {
    "B": "January", "b": "Jan", "m": "01", "A": "Monday", "a": "Mon", "d": "02", "H": "15", "I": "03",
    "M": "04", "S": "05", "Y": "2006", "y": "06", "p": "PM", "Z": "MST", "z": "-0700",
}  # fmt: skip


def strftime(fmt: str, dt: datetime) -> str:
    out: list[str] = []
    i = 0
    while i < len(fmt):
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        if j + 1 < len(fmt):
            c = fmt[j + 1]
            if c == "%":
                out.append("%")
            elif c in _STRFTIME:
                out.append(go_format(dt, _STRFTIME[c]))
            elif c == "j":
                out.append(f"{dt.timetuple().tm_yday:03d}")
            elif c == "f":
                out.append(f"{dt.microsecond:06d}")
            elif c == "L":
                out.append(f"{dt.microsecond // 1000:03d}")
            else:
                out.append(fmt[j : j + 2])
        i = j + 2
    return "".join(out)
