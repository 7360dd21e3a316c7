"""Date and time functions: cty's ``formatdate``/``timeadd``, Packer's ``timestamp`` and legacy
``legacy_isotime``/``legacy_strftime`` (which use the time kiln started, as Packer's do)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from kiln_sdk import gotime
from kiln_sdk.duration import parse_duration_ns

from kiln.hcl.function import ArgError, FunctionError, Param
from kiln.hcl.values import STRING, Value

from . import _gotime
from ._support import define, string

INIT_TIME = datetime.now(UTC)
"""When this process loaded the functions: ``legacy_isotime`` and ``legacy_strftime`` format it, so
every use in one run agrees (Packer's ``initTime``)."""


def _split_format(fmt: str) -> list[str]:
    """cty's ``splitDateFormat`` tokens: quoted literals, runs of one letter, other literal text."""
    tokens: list[str] = []
    i, n = 0, len(fmt)
    while i < n:
        ch = fmt[i]
        if ch == "'":
            if fmt.startswith("''", i):
                tokens.append("''")
                i += 2
                continue
            j = i + 1
            while j < n:
                if fmt[j] == "'":
                    if fmt.startswith("''", j):
                        j += 2
                        continue
                    break
                j += 1
            if j == n - 1:
                # cty's scanner asks for more input to see whether this closing quote starts a "''"
                # escape, and at the end of the format it then drops the whole literal: so does kiln
                break
            tokens.append(fmt[i : j + 1])
            i = j + 1
        elif ch.isascii() and ch.isalpha():
            j = i
            while j < n and fmt[j] == ch:
                j += 1
            tokens.append(fmt[i:j])
            i = j
        else:
            j = i + 1
            while j < n and fmt[j] != "'" and not (fmt[j].isascii() and fmt[j].isalpha()):
                j += 1
            tokens.append(fmt[i:j])
            i = j
    return tokens


_VERB_RULES = {
    "Y": ({2: "%02d", 4: "%04d"}, 'year must either be "YY" or "YYYY"'),
    "D": ({1: "%d", 2: "%02d"}, 'day of month must either be "D" or "DD"'),
    "h": ({1: "%d", 2: "%02d"}, '24-hour must either be "h" or "hh"'),
    "H": ({1: "%d", 2: "%02d"}, '12-hour must either be "H" or "HH"'),
    "m": ({1: "%d", 2: "%02d"}, 'minute must either be "m" or "mm"'),
    "s": ({1: "%d", 2: "%02d"}, 'second must either be "s" or "ss"'),
}


def _verb(tok: str, t: datetime) -> str:
    c, n = tok[0], len(tok)
    if c in _VERB_RULES:
        forms, why = _VERB_RULES[c]
        if n not in forms:
            raise ArgError(0, f'invalid date format verb "{tok}": {why}')
        value = {
            "Y": t.year % 100 if n == 2 else t.year,
            "D": t.day,
            "h": t.hour,
            "m": t.minute,
            "s": t.second,
        }
        value["H"] = t.hour % 12 or 12
        return forms[n] % value[c]
    if c == "M":
        month = gotime.MONTHS[t.month - 1]
        forms_m = {1: str(t.month), 2: f"{t.month:02d}", 3: month[:3], 4: month}
        if n not in forms_m:
            raise ArgError(0, f'invalid date format verb "{tok}": month must be "M", "MM", "MMM", or "MMMM"')
        return forms_m[n]
    if c == "E":
        day = gotime.DAYS[t.weekday()]
        if n not in (3, 4):
            raise ArgError(0, f'invalid date format verb "{tok}": day of week must either be "EEE" or "EEEE"')
        return day[:3] if n == 3 else day
    if c in "Aa":
        if n != 2:
            raise ArgError(0, f'invalid date format verb "{tok}": must be "{c}{c}"')
        text = "AM" if t.hour < 12 else "PM"
        return text if c == "A" else text.lower()
    if c == "Z":
        if n == 1:
            return _gotime.go_format(t, "Z07:00")
        if n == 3:
            text = _gotime.go_format(t, "-0700")
            return "UTC" if text == "+0000" else text
        if n == 4:
            return _gotime.go_format(t, "-0700")
        if n == 5:
            return _gotime.go_format(t, "-07:00")
        raise ArgError(0, f'invalid date format verb "{tok}": timezone must be Z, ZZZZ, or ZZZZZ')
    raise ArgError(0, f'invalid date format verb "{tok}"')


def _formatdate(args: Sequence[Value]) -> Value:
    fmt, ts = args[0].v, args[1].v
    try:
        t = _gotime.parse_rfc3339(ts)
    except _gotime.TimestampError as err:
        raise ArgError(1, str(err)) from None
    out: list[str] = []
    for tok in _split_format(fmt):
        if tok[0] == "'":
            if len(tok) == 1 or tok[-1] != "'":
                raise ArgError(0, "unterminated literal '")
            out.append("'" if tok == "''" else tok[1:-1].replace("''", "'"))
        elif tok[0].isascii() and tok[0].isalpha():
            out.append(_verb(tok, t))
        else:
            out.append(tok)
    return string("".join(out))


def _timeadd(args: Sequence[Value]) -> Value:
    try:
        t = _gotime.parse_rfc3339(args[0].v)
        nanos = parse_duration_ns(args[1].v)
    except ValueError as err:
        raise FunctionError(str(err)) from None
    return string(_gotime.format_rfc3339(t + timedelta(microseconds=nanos // 1000)))


def _timestamp(args: Sequence[Value]) -> Value:
    return string(_gotime.format_rfc3339(datetime.now(UTC).replace(microsecond=0)))


def _legacy(formatter: str) -> Callable[[Sequence[Value]], Value]:
    def impl(args: Sequence[Value]) -> Value:
        if len(args) > 1:
            raise FunctionError(f"too many values, 1 needed: {[a.v for a in args]}")
        if not args:
            return string(_gotime.format_rfc3339(INIT_TIME))
        if formatter == "isotime":
            return string(_gotime.go_format(INIT_TIME, args[0].v))
        return string(_gotime.strftime(args[0].v, INIT_TIME))

    return impl


FUNCTIONS = {
    "formatdate": define("formatdate", [Param("format", STRING), Param("time", STRING)], _formatdate, STRING),
    "timeadd": define("timeadd", [Param("timestamp", STRING), Param("duration", STRING)], _timeadd, STRING),
    "timestamp": define("timestamp", [], _timestamp, STRING),
    "legacy_isotime": define(
        "legacy_isotime", [], _legacy("isotime"), STRING, variadic=Param("format", STRING)
    ),
    "legacy_strftime": define(
        "legacy_strftime", [], _legacy("strftime"), STRING, variadic=Param("format", STRING)
    ),
}
