"""Go's time package, the parts HCL functions expose beyond formatting (which is ``kiln_sdk.gotime``):
RFC 3339 parsing with cty's error wording and ``time.ParseDuration`` in exact nanoseconds."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from kiln_sdk.gotime import go_format, strftime

__all__ = ["TimestampError", "format_rfc3339", "go_format", "parse_rfc3339", "strftime"]

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


# ---- strftime (jehiah/go-strftime) -------------------------------------------------------------------
