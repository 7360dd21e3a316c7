"""HCL numbers: ``Decimal`` arithmetic standing in for cty's 512-bit ``big.Float``.

Arithmetic runs in a decimal context finer than 512 binary bits. When a number becomes text (string
conversion, templates) it is first rounded to the nearest 512-bit binary float and printed as the
shortest decimal that rounds back to it, as Go's ``big.Float.Text('f', -1)`` does; so ``0.1 + 0.2``
prints ``0.3`` and ``1/3`` prints the same 155 digits Packer prints.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from fractions import Fraction

CONTEXT = decimal.Context(prec=170, rounding=decimal.ROUND_HALF_EVEN, Emax=999_999_999, Emin=-999_999_999)
CONTEXT.traps[decimal.DivisionByZero] = False
CONTEXT.traps[decimal.InvalidOperation] = False

MANTISSA_BITS = 512
INF = Decimal("Infinity")


def parse(text: str) -> Decimal | None:
    """Parse a decimal number as cty's ``ParseNumberVal`` (Go ``big.ParseFloat`` base 10): None if invalid."""
    s = text
    if not s or s.strip() != s or "_" in s:
        return None
    body = s[1:] if s[0] in "+-" else s
    if body.lower() in ("inf", "infinity"):
        return -INF if s[0] == "-" else INF
    if not body or body.lower().startswith(("nan", "0x", "0b", "0o")):
        return None
    try:
        d = Decimal(s)
    except decimal.InvalidOperation:
        return None
    if not d.is_finite():
        return None
    return +d if d.is_zero() else CONTEXT.plus(d)


def _round_binary(x: Fraction) -> tuple[int, int]:
    """``x`` (> 0) rounded to ``m * 2**e`` with an integer mantissa of MANTISSA_BITS bits (half to even)."""
    e = x.numerator.bit_length() - x.denominator.bit_length() - MANTISSA_BITS
    while True:
        scaled = x / (Fraction(2) ** e)
        m, rem = divmod(scaled.numerator, scaled.denominator)
        if m.bit_length() > MANTISSA_BITS:
            e += 1
            continue
        if m.bit_length() < MANTISSA_BITS:
            e -= 1
            continue
        twice = 2 * rem
        if twice > scaled.denominator or (twice == scaled.denominator and m % 2 == 1):
            m += 1
        return m, e


def text(d: Decimal) -> str:
    """Go's ``big.Float.Text('f', -1)`` of the 512-bit float nearest to ``d`` (cty number -> string)."""
    if d.is_infinite():
        return "+Inf" if d > 0 else "-Inf"
    if d.is_zero():
        return "0"
    neg = d < 0
    x = Fraction(d.copy_abs())
    if x.denominator == 1 and x.numerator.bit_length() <= MANTISSA_BITS:
        out = str(x.numerator)
    else:
        out = _shortest_binary(x)
    return "-" + out if neg else out


def _shortest_binary(x: Fraction) -> str:
    """Go's shortest decimal for the 512-bit float nearest ``x``: the fewest digits that round back to
    it, rounding the exact binary value down or up (to nearest when both work)."""
    target = _round_binary(x)
    m, e = target
    exact = Decimal(m * 2**e) if e >= 0 else Decimal(f"{m * 5**-e}E{e}")  # exact: m / 2**k = m * 5**k / 10**k
    for digits in range(1, 400):
        down = exact.normalize(decimal.Context(prec=digits, rounding=decimal.ROUND_DOWN))
        up = exact.normalize(decimal.Context(prec=digits, rounding=decimal.ROUND_UP))
        ok_down = _round_binary(Fraction(down)) == target
        ok_up = _round_binary(Fraction(up)) == target
        if ok_down and ok_up:
            return _plain(exact.normalize(decimal.Context(prec=digits, rounding=decimal.ROUND_HALF_EVEN)))
        if ok_down or ok_up:
            return _plain(down if ok_down else up)
    return _plain(exact)  # pragma: no cover - the exact value always round-trips


def _plain(d: Decimal) -> str:
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def console(d: Decimal) -> str:
    """How Packer 1.6.6's console prints a number: an exact int64 as an integer, else Go's ``%v`` of
    the nearest float64 (shortest digits; exponent form below 1e-4 and from 1e6, as Go's %g)."""
    if d.is_infinite():
        return "+Inf" if d > 0 else "-Inf"
    if d == d.to_integral_value() and -(2**63) <= d < 2**63:
        return str(int(d))
    f = float(d)
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    return go_float_g(f)


def go_float_g(f: float) -> str:
    """Go's ``strconv.FormatFloat(f, 'g', -1, 64)`` (also what ``%v`` prints for a float64)."""
    if f == 0:
        return "0"
    sign = "-" if f < 0 else ""
    digits, exp = _shortest_digits(abs(f))
    x = exp + len(digits) - 1  # exponent of the first digit
    if x < -4 or x >= 6:  # Go: shortest formatting decides with precision 6
        m = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{m}e{'-' if x < 0 else '+'}{abs(x):02d}"
    dp = x + 1  # digits before the decimal point
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def _shortest_digits(f: float) -> tuple[str, int]:
    """Shortest round-trip digits of ``f`` > 0 and the exponent of the last digit (f = digits * 10**exp)."""
    t = Decimal(repr(f)).as_tuple()
    digits = "".join(map(str, t.digits)).rstrip("0")
    exp = int(t.exponent) + (len(t.digits) - len(digits))
    return digits, exp
