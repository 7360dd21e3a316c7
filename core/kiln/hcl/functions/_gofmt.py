"""Go's ``fmt`` verbs as cty's ``format`` understands them: parsing, and number formatting.

Integers follow ``big.Int.Format`` and floats ``big.Float.Format`` (the Go types cty formats with).
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from kiln.hcl import numbers


class FormatSyntaxError(Exception):
    pass


MAX_WIDTH = 100_000
"""The largest width or precision of a verb: ``%0999999999d`` would make a 1 GB string (Go does)."""


def _limited(fmt: str, i: int, j: int, start: int, what: str) -> int:
    if j - i > 7 or int(fmt[i:j]) > MAX_WIDTH:
        raise FormatSyntaxError(
            f'the {what} {fmt[i:j][:20]} in "{fmt[start:j + 1][:40]}" at offset {start} is more than kiln allows '
            f"({MAX_WIDTH:,}): use a smaller {what}"
        )
    return int(fmt[i:j])


@dataclass
class Verb:
    raw: str
    offset: int
    arg_num: int  # 1-based
    mode: str
    minus: bool = False
    plus: bool = False
    sharp: bool = False
    space: bool = False
    zero: bool = False
    width: int = -1
    prec: int = -1
    has_prec: bool = False


_MODES = frozenset("vtbdoxXeEfgGsq")


def parse(fmt: str) -> list[str | Verb]:
    """Literal strings and verbs, in order. Raises ``FormatSyntaxError`` with cty's messages
    (offsets are byte offsets, as in Go)."""
    out: list[str | Verb] = []
    lit: list[str] = []
    i, n = 0, len(fmt)
    next_arg = 1

    def off(pos: int) -> int:
        return len(fmt[:pos].encode("utf-8"))

    def bad(pos: int) -> FormatSyntaxError:
        if pos >= n:
            return FormatSyntaxError(f"invalid format string starting at offset {off(n)}")
        return FormatSyntaxError(f"unrecognized format character {_goq(fmt[pos])} at offset {off(pos)}")

    while i < n:
        ch = fmt[i]
        if ch != "%":
            lit.append(ch)
            i += 1
            continue
        if i + 1 < n and fmt[i + 1] == "%":
            lit.append("%")
            i += 2
            continue
        start = i
        i += 1
        verb = Verb(raw="", offset=off(start), arg_num=next_arg, mode="")
        while i < n and fmt[i] in "+-# 0":
            flag = fmt[i]
            verb.plus |= flag == "+"
            verb.minus |= flag == "-"
            verb.sharp |= flag == "#"
            verb.space |= flag == " "
            verb.zero |= flag == "0"
            i += 1
        if i < n and fmt[i] == "[":
            i += 1
            if i >= n or fmt[i] not in "123456789":
                raise bad(i)
            j = i
            while j < n and fmt[j].isdigit():
                j += 1
            if j >= n or fmt[j] != "]":
                raise bad(j)
            verb.arg_num = int(fmt[i:j])
            i = j + 1
        j = i
        while j < n and fmt[j].isdigit():
            j += 1
        if j > i:
            verb.width = _limited(fmt, i, j, start, "width")
            i = j
        if i < n and fmt[i] == ".":
            i += 1
            j = i
            while j < n and fmt[j].isdigit():
                j += 1
            verb.prec = _limited(fmt, i, j, start, "precision") if j > i else 0
            verb.has_prec = True
            i = j
        if i >= n or not (fmt[i].isascii() and fmt[i].isalpha()):
            raise bad(i)
        mode = fmt[i]
        i += 1
        verb.mode = mode
        verb.raw = fmt[start:i]
        if mode not in _MODES:
            raise FormatSyntaxError(
                f'unsupported format verb {_goq(mode)} in "{verb.raw}" at offset {verb.offset}'
            )
        if lit:
            out.append("".join(lit))
            lit = []
        out.append(verb)
        next_arg = verb.arg_num + 1
    if lit:
        out.append("".join(lit))
    return out


def _goq(ch: str) -> str:
    """Go's ``%q`` of a rune."""
    if ch == "'":
        return "'\\''"
    if ch == "\\":
        return "'\\\\'"
    return f"'{ch}'"


def _pad(verb: Verb, sign: str, body: str, zero_ok: bool) -> str:
    width = verb.width
    total = len(sign) + len(body)
    if width <= total:
        return sign + body
    padding = width - total
    if verb.minus:
        return sign + body + " " * padding
    if verb.zero and zero_ok:
        return sign + "0" * padding + body
    return " " * padding + sign + body


def format_int(verb: Verb, n: int) -> str:
    """``big.Int.Format`` for the verbs b, d, o, x, X."""
    base = {"b": 2, "d": 10, "o": 8, "x": 16, "X": 16}[verb.mode]
    digits = _to_base(abs(n), base)
    if verb.mode == "X":
        digits = digits.upper()
    if verb.has_prec:
        digits = "" if verb.prec == 0 and n == 0 else digits.rjust(verb.prec, "0")
    prefix = ""
    if verb.sharp:
        prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb.mode, "")
    sign = "-" if n < 0 else ("+" if verb.plus else (" " if verb.space else ""))
    return _pad(verb, sign + prefix, digits, zero_ok=not verb.has_prec)


def _to_base(n: int, base: int) -> str:
    if base == 10:
        return str(n)
    if n == 0:
        return "0"
    chars = "0123456789abcdef"
    out = []
    while n:
        n, r = divmod(n, base)
        out.append(chars[r])
    return "".join(reversed(out))


def _digits(d: Decimal) -> tuple[str, int]:
    """Significant digits (no trailing zeros) and the decimal point position, like Go's decimal."""
    if d == 0:
        return "", 0
    t = d.normalize().as_tuple()
    ds = "".join(str(x) for x in t.digits).rstrip("0") or "0"
    exp = int(t.exponent)
    return ds, len(t.digits) + exp


_EXACT = decimal.Context(prec=4000, rounding=ROUND_HALF_EVEN)


def _nearest_binary(x: Fraction, bits: int = 512) -> tuple[int, int]:
    """``x`` > 0 as ``m * 2**e`` with a ``bits``-bit mantissa, rounded half to even (big.Float)."""
    e = x.numerator.bit_length() - x.denominator.bit_length() - bits
    while True:
        scaled = x / Fraction(2) ** e
        m, rem = divmod(scaled.numerator, scaled.denominator)
        if m.bit_length() != bits:
            e += 1 if m.bit_length() > bits else -1
            continue
        if 2 * rem > scaled.denominator or (2 * rem == scaled.denominator and m % 2 == 1):
            m += 1
        return m, e


def exact_binary(d: Decimal) -> Decimal:
    """The exact value of the 512-bit binary float nearest ``d`` (what Go rounds when formatting)."""
    if d == 0 or not d.is_finite():
        return d
    m, e = _nearest_binary(Fraction(d.copy_abs()))
    exact = Decimal(m * 2**e) if e >= 0 else _EXACT.multiply(Decimal(m * 5**-e), Decimal(f"1E{e}"))
    return exact if d > 0 else -exact


def _round_sig(d: Decimal, sig: int) -> Decimal:
    if d == 0 or sig <= 0:
        return Decimal(0) if sig <= 0 and d == 0 else d
    q = Decimal(1).scaleb(d.adjusted() - sig + 1)
    return d.quantize(q, context=_EXACT)


def _fmt_e(mant: str, dp: int, prec: int, e: str) -> str:
    first = mant[:1] or "0"
    rest = mant[1:]
    if prec >= 0:
        rest = (rest + "0" * prec)[:prec]
    body = first + ("." + rest if rest else "")
    exp = dp - 1 if mant else 0
    sign = "-" if exp < 0 else "+"
    return f"{body}{e}{sign}{abs(exp):02d}"


def _fmt_f(mant: str, dp: int, prec: int) -> str:
    if dp > 0:
        intpart = (mant[:dp] + "0" * max(0, dp - len(mant))) or "0"
    else:
        intpart = "0"
    frac = ""
    for i in range(prec):
        j = dp + i
        frac += mant[j] if 0 <= j < len(mant) else "0"
    return intpart + ("." + frac if prec > 0 else "")


def float_text(d: Decimal, mode: str, prec: int) -> str:
    """``big.Float.Text(mode, prec)`` for a finite non-negative value; ``prec < 0`` means shortest."""
    shortest = prec < 0
    d = Decimal(numbers.text(d)) if shortest else exact_binary(d)
    if mode in "eE":
        if not shortest:
            d = _round_sig(d, prec + 1)
        mant, dp = _digits(d)
        return _fmt_e(mant, dp, len(mant) - 1 if shortest else prec, mode)
    if mode == "f":
        if not shortest:
            d = d.quantize(Decimal(1).scaleb(-prec), context=_EXACT) if d != 0 else d
        mant, dp = _digits(d)
        return _fmt_f(mant, dp, max(len(mant) - dp, 0) if shortest else prec)
    # g / G
    if not shortest:
        if prec == 0:
            prec = 1
        d = _round_sig(d, prec)
    mant, dp = _digits(d)
    eprec = prec
    if eprec > len(mant) and len(mant) >= dp:
        eprec = len(mant)
    if shortest:
        eprec = 6
    exp = dp - 1
    if mant and (exp < -4 or exp >= eprec):
        if shortest or prec > len(mant):
            prec = len(mant)
        return _fmt_e(mant, dp, prec - 1, "e" if mode == "g" else "E")
    if shortest or prec > dp:
        prec = len(mant)
    return _fmt_f(mant, dp, max(prec - dp, 0))


def format_float(verb: Verb, d: Decimal) -> str:
    """``big.Float.Format`` for the verbs e, E, f, g, G."""
    prec = verb.prec if verb.has_prec else (-1 if verb.mode in "gG" else 6)
    if d.is_infinite():
        body = "Inf"
    else:
        body = float_text(abs(d), verb.mode, prec)
    neg = d.is_signed() and d != 0 or (d.is_infinite() and d < 0)
    sign = "-" if neg else ("+" if verb.plus else (" " if verb.space else ""))
    return _pad(verb, sign, body, zero_ok=not d.is_infinite())
