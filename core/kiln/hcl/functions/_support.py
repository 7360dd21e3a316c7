"""Helpers shared by the function families: declaring functions and small Unicode utilities."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from kiln.hcl.convert import unify
from kiln.hcl.function import ArgError, Function, FunctionError, Impl, Param, ReturnType
from kiln.hcl.values import DYNAMIC, STRING, Dynamic, Type, Value


def define(
    name: str,
    params: Sequence[Param],
    impl: Impl,
    returns: ReturnType,
    variadic: Param | None = None,
    description: str = "",
) -> Function:
    """A named ``Function`` (the name appears in arity errors)."""
    return Function(
        params=tuple(params),
        impl=impl,
        return_type=returns,
        variadic=variadic,
        description=description,
        name=name,
    )


def text(s: str) -> str:
    """cty keeps every string in Unicode normal form C."""
    return unicodedata.normalize("NFC", s)


def string(s: str) -> Value:
    """A string value as ``cty.StringVal`` makes it: normalised to NFC."""
    return Value(STRING, s if s.isascii() else unicodedata.normalize("NFC", s))


_RI = range(0x1F1E6, 0x1F200)  # regional indicators, paired into flags


def _extends(ch: str) -> bool:
    cp = ord(ch)
    if cp == 0x200D or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:
        return True
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


def graphemes(s: str) -> list[str]:
    """Split ``s`` into extended grapheme clusters (UAX #29, the rules that matter in practice)."""
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        j = i + 1
        if s[i] == "\r" and j < n and s[j] == "\n":
            out.append("\r\n")
            i = j + 1
            continue
        if s[i] in "\r\n":
            out.append(s[i])
            i = j
            continue
        if ord(s[i]) in _RI and j < n and ord(s[j]) in _RI:
            j += 1
        while j < n:
            if _extends(s[j]):
                if s[j] == "\u200d" and j + 1 < n:  # zero-width joiner glues the next character
                    j += 2
                else:
                    j += 1
                continue
            break
        out.append(s[i:j])
        i = j
    return out


_GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def go_trim_space(s: str) -> str:
    """Go's ``strings.TrimSpace`` (``unicode.IsSpace``, which differs from ``str.strip``)."""
    start, end = 0, len(s)
    while start < end and s[start] in _GO_SPACE:
        start += 1
    while end > start and s[end - 1] in _GO_SPACE:
        end -= 1
    return s[start:end]


def go_upper(s: str) -> str:
    """Go's ``strings.ToUpper``: one-to-one (simple) case mapping, so ``ß`` stays ``ß``."""
    out = []
    for ch in s:
        up = ch.upper()
        out.append(up if len(up) == 1 else ch)
    return "".join(out)


def go_lower(s: str) -> str:
    out = []
    for ch in s:
        low = ch.lower()
        out.append(low if len(low) == 1 else low[0])
    return "".join(out)


def go_title_rune(ch: str) -> str:
    t = ch.title()
    return t if len(t) == 1 else go_upper(ch)


def is_go_separator(ch: str) -> bool:
    """The word separators of Go's (deprecated) ``strings.Title``."""
    if ch.isascii():
        return not (ch.isalnum() or ch == "_")
    cat = unicodedata.category(ch)
    if cat[0] in "LN":
        return False
    return ch in _GO_SPACE or cat == "Zs"


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def to_int(v: Value, index: int | None = None) -> int:
    """A number as a Go ``int`` (gocty's rules and message). Failing, an ``ArgError`` for argument
    ``index``, or a plain ``FunctionError`` when ``index`` is None (as most cty functions report it)."""
    d = v.v
    if not d.is_finite() or d != d.to_integral_value() or not _INT64_MIN <= d <= _INT64_MAX:
        message = f"value must be a whole number, between {_INT64_MIN} and {_INT64_MAX}"
        raise FunctionError(message) if index is None else ArgError(index, message)
    return int(d)


def unify_types(types: Sequence[Type]) -> Type | None:
    """cty's ``UnifyUnsafe``: like ``convert.unify``, but a ``dynamic`` member (a bare ``null``) does not
    decide the result, because a conversion from it to any other type exists (cty prefers the others)."""
    concrete = [t for t in types if not isinstance(t, Dynamic)]
    if not concrete:
        return DYNAMIC
    return unify(list(concrete))
