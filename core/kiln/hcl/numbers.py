"""HCL numbers: ``Decimal`` values that behave exactly like cty's 512-bit ``big.Float``.

cty parses and computes in binary floating point with a 512-bit mantissa (rounding to nearest even).
kiln does the same arithmetic on exact fractions, rounds each result to 512 bits, and stores it as the
shortest decimal that rounds back to that binary value — the digits Go's ``big.Float.Text('f', -1)``
prints. So ``0.1 + 0.2`` is ``Decimal("0.3")`` and ``"${1 - 0.9}"`` is the same
``0.1000...0003`` Packer prints, while the values stay readable Decimals for everyone else.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

MANTISSA_BITS = 512
INF = Decimal("Infinity")
CONTEXT = decimal.Context(prec=170, rounding=decimal.ROUND_HALF_EVEN, Emax=999_999_999, Emin=-999_999_999)
CONTEXT.traps[decimal.DivisionByZero] = False
CONTEXT.traps[decimal.InvalidOperation] = False
_WIDE = decimal.Context(prec=100_000, Emax=999_999_999, Emin=-999_999_999)
_EXACT_DIGITS = 150  # decimals this short are their own shortest representation at 512 bits

__all__ = [
    "add",
    "canonical",
    "console",
    "divide",
    "go_float_g",
    "modulo",
    "multiply",
    "parse",
    "subtract",
    "text",
]


class NaNError(ArithmeticError):
    """The operation has no numeric result (Go's ``big.ErrNaN``)."""


def parse(text: str) -> Decimal | None:
    """Parse a number as cty's ``ParseNumberVal`` (Go ``big.ParseFloat``, base 10); None if invalid."""
    s = text
    if not s or s.strip() != s or "_" in s:
        return None
    body = s[1:] if s[0] in "+-" else s
    if body in ("Inf", "inf", "Infinity", "infinity"):
        return -INF if s[0] == "-" else INF
    if not body or not (body[0].isdigit() or body[0] == "."):
        return None
    try:
        d = Decimal(s)
    except decimal.InvalidOperation:
        return None
    return canonical(d) if d.is_finite() else None


def canonical(d: Decimal) -> Decimal:
    """``d`` rounded to 512 binary bits, written with the fewest digits that identify that value."""
    if not d.is_finite() or d.is_zero():
        return d
    if len(d.as_tuple().digits) <= _EXACT_DIGITS:
        return d
    return _from_binary(_to_binary(d))


@functools.lru_cache(maxsize=4096)
def _to_binary(d: Decimal) -> Fraction:
    """The exact value of the 512-bit float nearest to ``d`` (finite)."""
    x = Fraction(d)
    if x.denominator == 1 and abs(x.numerator).bit_length() <= MANTISSA_BITS:
        return x
    return _round(x)


def _round(x: Fraction) -> Fraction:
    if x == 0:
        return x
    m, e = _round_binary(abs(x))
    r = Fraction(m * 2**e) if e >= 0 else Fraction(m, 2**-e)
    return r if x > 0 else -r


def _round_binary(x: Fraction) -> tuple[int, int]:
    """``x`` (> 0) as ``m * 2**e`` with an integer mantissa of MANTISSA_BITS bits (half to even)."""
    e = x.numerator.bit_length() - x.denominator.bit_length() - MANTISSA_BITS
    while True:
        scaled = x / 2**e if e >= 0 else x * 2**-e
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
            if m.bit_length() > MANTISSA_BITS:
                m >>= 1
                e += 1
        return m, e


def _from_binary(x: Fraction) -> Decimal:
    """The shortest decimal for the binary value ``x`` (Go's shortest-digits algorithm)."""
    if x == 0:
        return Decimal(0)
    if x.denominator == 1 and abs(x.numerator).bit_length() <= MANTISSA_BITS:
        return Decimal(x.numerator)
    neg = x < 0
    ax = -x if neg else x
    target = _round_binary(ax)
    k = 0
    den = ax.denominator
    while den % 2 == 0:
        den //= 2
        k += 1
    # x = n / 2**k = n * 5**k / 10**k exactly (Decimal(int) has no 4,300-digit limit, str(int) has)
    exact = Decimal(ax.numerator * 5**k).scaleb(-k, _WIDE)
    best = exact
    lo, hi = 1, len(exact.as_tuple().digits)
    while lo < hi:  # fewest digits whose nearest rounding still identifies the binary value
        mid = (lo + hi) // 2
        if _round_binary(Fraction(_digits(exact, mid, decimal.ROUND_HALF_EVEN))) == target:
            hi = mid
        else:
            lo = mid + 1
    best = _digits(exact, lo, decimal.ROUND_HALF_EVEN)
    if lo > 1:  # Go also accepts truncating or rounding up when that is one digit shorter
        for mode in (decimal.ROUND_DOWN, decimal.ROUND_UP):
            cand = _digits(exact, lo - 1, mode)
            if _round_binary(Fraction(cand)) == target:
                best = cand
                break
    best = best.normalize(_WIDE)
    return -best if neg else best


def _digits(d: Decimal, n: int, rounding: str) -> Decimal:
    return d.normalize(decimal.Context(prec=n, rounding=rounding, Emax=999_999_999, Emin=-999_999_999))


def _binary_op(f: Callable[[Fraction, Fraction], Fraction]) -> Callable[[Decimal, Decimal], Decimal]:
    def op(a: Decimal, b: Decimal) -> Decimal:
        return _from_binary(_round(f(_to_binary(a), _to_binary(b))))

    return op


_add = _binary_op(lambda a, b: a + b)
_sub = _binary_op(lambda a, b: a - b)
_mul = _binary_op(lambda a, b: a * b)
_div = _binary_op(lambda a, b: a / b)


def add(a: Decimal, b: Decimal) -> Decimal:
    if a.is_infinite() or b.is_infinite():
        if a.is_infinite() and b.is_infinite() and a != b:
            raise NaNError("can't compute sum of opposing infinities")
        return a if a.is_infinite() else b
    return _add(a, b)


def subtract(a: Decimal, b: Decimal) -> Decimal:
    if a.is_infinite() or b.is_infinite():
        if a.is_infinite() and b.is_infinite() and a == b:
            raise NaNError("can't subtract infinity from itself")
        return a if a.is_infinite() else b.copy_negate()
    return _sub(a, b)


def multiply(a: Decimal, b: Decimal) -> Decimal:
    if a.is_infinite() or b.is_infinite():
        if a.is_zero() or b.is_zero():
            raise NaNError("can't multiply zero by infinity")
        return INF if a.is_signed() == b.is_signed() else -INF
    if a.is_zero() or b.is_zero():
        return Decimal("-0") if a.is_signed() != b.is_signed() else Decimal(0)
    return _mul(a, b)


def divide(a: Decimal, b: Decimal) -> Decimal:
    if (a.is_zero() and b.is_zero()) or (a.is_infinite() and b.is_infinite()):
        raise NaNError("can't divide zero by zero or infinity by infinity")
    negative = a.is_signed() != b.is_signed()
    if b.is_zero() or a.is_infinite():
        return -INF if negative else INF
    if b.is_infinite() or a.is_zero():
        return Decimal("-0") if negative else Decimal(0)
    return _div(a, b)


def modulo(a: Decimal, b: Decimal) -> Decimal:
    """cty's ``Modulo``: ``a - b * trunc(a / b)`` in 512-bit steps, with its special cases."""
    if a.is_infinite():
        return multiply(a, b)
    if b.is_zero():
        return a  # a / 0 is infinite; Go's Float.Int of an infinity leaves the quotient at 0
    if b.is_infinite():
        raise NaNError("can't use modulo with zero and infinity")
    q = divide(a, b).to_integral_value(rounding=decimal.ROUND_DOWN)
    return subtract(a, multiply(b, q))


MAX_TEXT_DIGITS = 100_000


class TooLong(ArithmeticError):
    """The number's decimal text would be longer than MAX_TEXT_DIGITS (``1e999999999``: a 1 GB string)."""


def text(d: Decimal) -> str:
    """Go's ``big.Float.Text('f', -1)``: how a number becomes a string (templates, ``tostring``)."""
    if d.is_infinite():
        return "+Inf" if d > 0 else "-Inf"
    if d.is_zero():
        return "-0" if d.is_signed() else "0"
    if abs(d.adjusted()) > MAX_TEXT_DIGITS:
        raise TooLong(f"the number {d:.6e} has more than {MAX_TEXT_DIGITS:,} digits: kiln does not write it out")
    s = format(canonical(d), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def console(d: Decimal) -> str:
    """How Packer 1.6.6's console prints a number: an exact int64 as an integer, else Go's ``%g`` of
    the nearest float64 (shortest digits; exponent form below 1e-4 and from 1e6 on)."""
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
    if x < -4 or x >= 6:  # shortest %g decides with precision 6
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
