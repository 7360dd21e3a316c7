"""Go's time package, the parts HCL functions expose: layout formatting (``Time.Format``), RFC 3339
parsing with cty's error wording, ``time.ParseDuration`` and ``jehiah/go-strftime``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_MONTHS = "January February March April May June July August September October November December".split()
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

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
        "January": _MONTHS[dt.month - 1],
        "Jan": _MONTHS[dt.month - 1][:3],
        "Monday": _DAYS[dt.weekday()],
        "Mon": _DAYS[dt.weekday()][:3],
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


# ---- RFC 3339 parsing (time.Parse(time.RFC3339, s) with cty's messages) ---------------------------


class TimestampError(ValueError):
    pass


def _bad(value: str, what: str) -> TimestampError:
    if value == "":
        return TimestampError(f"not a valid RFC3339 timestamp: end of string before {what}")
    return TimestampError(f'not a valid RFC3339 timestamp: cannot use "{value}" as {what}')


def _literal(value: str, lit: str) -> str:
    if value.startswith(lit):
        return value[len(lit) :]
    if lit == "T":
        raise TimestampError("not a valid RFC3339 timestamp: missing required time introducer 'T'")
    if value == "":
        raise TimestampError(f'not a valid RFC3339 timestamp: end of string where "{lit}" is expected')
    raise TimestampError(f'not a valid RFC3339 timestamp: found "{value}" where "{lit}" is expected')


def _fixed2(value: str, what: str) -> tuple[int, str]:
    if len(value) < 2 or not value[:2].isdigit() or not value[:2].isascii():
        raise _bad(value, what)
    return int(value[:2]), value[2:]


def parse_rfc3339(ts: str) -> datetime:
    v = ts
    if len(v) < 4 or not v[0].isdigit() or not v[0].isascii():
        raise _bad(v, "year")
    digits, v = v[:4], v[4:]  # Go consumes four characters before it checks them
    if not (digits.isdigit() and digits.isascii()):
        raise _bad(v, "year")
    year = int(digits)
    v = _literal(v, "-")
    month, v = _fixed2(v, "month")
    if not 1 <= month <= 12:
        raise _bad(v, "month")
    v = _literal(v, "-")
    day, v = _fixed2(v, "day of month")
    v = _literal(v, "T")
    m = re.match(r"[0-9]{1,2}", v)
    if not m:
        raise _bad(v, "hour")
    hour, v = int(m.group(0)), v[m.end() :]
    if hour >= 24:
        raise _bad(v, "hour")
    v = _literal(v, ":")
    minute, v = _fixed2(v, "minute")
    if minute >= 60:
        raise _bad(v, "minute")
    v = _literal(v, ":")
    second, v = _fixed2(v, "second")
    if second >= 60:
        raise _bad(v, "second")
    micro = 0
    fm = re.match(r"[.,]([0-9]+)", v)
    if fm:
        micro = int((fm.group(1) + "000000")[:6])
        v = v[fm.end() :]
    if v.startswith("Z"):
        tz, v = UTC, v[1:]
    else:
        zm = re.match(r"([+-])([0-9]{2}):([0-9]{2})", v)
        if not zm:
            raise _bad(v, "UTC offset")
        sign = -1 if zm.group(1) == "-" else 1
        hh, mm = int(zm.group(2)), int(zm.group(3))
        if hh > 24 or mm > 60:
            raise _bad(v[6:], "UTC offset")
        tz = timezone(sign * timedelta(hours=hh, minutes=mm))
        v = v[6:]
    if v:
        raise _bad(v, "timestamp segment")
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        raise TimestampError("not a valid RFC3339 timestamp: day out of range") from None


def format_rfc3339(dt: datetime) -> str:
    return go_format(dt, "2006-01-02T15:04:05Z07:00")


# ---- durations ---------------------------------------------------------------------------------------

_UNITS = {
    "ns": 1,
    "us": 1000,
    "µs": 1000,
    "μs": 1000,
    "ms": 10**6,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}


def parse_duration(s: str) -> int:
    """Go's ``time.ParseDuration``, in nanoseconds; ``ValueError`` with Go's messages."""
    orig = s
    quoted = '"' + orig + '"'
    neg = False
    if s[:1] in "+-" and s:
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if s == "":
        raise ValueError(f"time: invalid duration {quoted}")
    total = 0
    while s:
        m = re.match(r"([0-9]*)(\.([0-9]*))?", s)
        assert m is not None
        whole, frac = m.group(1), m.group(3) or ""
        if not whole and not frac:
            raise ValueError(f"time: invalid duration {quoted}")
        s = s[m.end() :]
        u = re.match(r"[^0-9.]*", s)
        unit = u.group(0) if u else ""
        if not unit:
            raise ValueError(f"time: missing unit in duration {quoted}")
        if unit not in _UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration {quoted}')
        s = s[len(unit) :]
        scale = _UNITS[unit]
        total += int(whole or "0") * scale
        if frac:
            total += int(int(frac) * scale / 10 ** len(frac))
        if total > 2**63 - 1:
            raise ValueError(f"time: invalid duration {quoted}")
    return -total if neg else total


# ---- strftime (jehiah/go-strftime) -------------------------------------------------------------------

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
