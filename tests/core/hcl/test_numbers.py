"""Numbers behave as cty's 512-bit big.Float: exact results Packer prints, readable Decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from kiln.hcl import numbers


def d(s: str) -> Decimal:
    parsed = numbers.parse(s)
    assert parsed is not None
    return parsed


def test_parse_is_go_parse_float() -> None:
    assert d("1e3") == 1000 and d("+1") == 1 and d("1.e3") == 1000 and d(".5") == Decimal("0.5")
    assert d("Inf") == numbers.INF and d("-Inf") == -numbers.INF
    for bad in ("", " 1", "1 ", "0x10", "1_000", "abc", "1..2", "nan"):
        assert numbers.parse(bad) is None, bad


def test_results_are_the_shortest_decimal_of_the_512_bit_value() -> None:
    assert numbers.add(d("0.1"), d("0.2")) == Decimal("0.3")
    assert numbers.text(numbers.subtract(d("1"), d("0.9"))) == "0." + "1" + "0" * 153 + "3"
    assert numbers.text(numbers.divide(d("1"), d("3"))) == "0." + "3" * 154 + "5"
    assert numbers.text(numbers.multiply(d("3"), d("1.1"))) == "3.3" + "0" * 152 + "2"
    assert numbers.divide(d("100"), d("4")) == 25


@pytest.mark.parametrize(
    ("a", "b", "result"),
    [
        ("10", "3", "1"),
        ("-7", "3", "-1"),
        ("7", "-3", "1"),
        ("7.5", "2", "1.5"),
        ("5", "0", "5"),
        ("0", "0", "0"),
    ],
)
def test_modulo_truncates_like_cty(a: str, b: str, result: str) -> None:
    assert numbers.modulo(d(a), d(b)) == Decimal(result)


def test_infinities_and_nan_errors() -> None:
    assert numbers.divide(d("1"), d("0")) == numbers.INF
    assert numbers.divide(d("-1"), d("0")) == -numbers.INF
    assert numbers.modulo(numbers.INF, d("2")) == numbers.INF
    for op, a, b, msg in [
        (numbers.divide, "0", "0", "can't divide zero by zero or infinity by infinity"),
        (numbers.subtract, "Inf", "Inf", "can't subtract infinity from itself"),
        (numbers.multiply, "0", "Inf", "can't multiply zero by infinity"),
        (numbers.add, "Inf", "-Inf", "can't compute sum of opposing infinities"),
        (numbers.modulo, "5", "Inf", "can't use modulo with zero and infinity"),
    ]:
        with pytest.raises(numbers.NaNError, match=msg):
            op(d(a), d(b))


def test_text_and_console_forms() -> None:
    assert numbers.text(d("1e30")) == "1" + "0" * 30
    assert numbers.text(Decimal("-0")) == "-0"
    assert numbers.text(numbers.INF) == "+Inf"
    assert numbers.console(d("1e30")) == "1e+30"
    assert numbers.console(Decimal("-0")) == "0"
    assert numbers.console(d("9223372036854775807")) == "9223372036854775807"
    assert numbers.console(d("9223372036854775808")) == "9.223372036854776e+18"
    assert numbers.console(numbers.divide(d("1"), d("3"))) == "0.3333333333333333"
    assert numbers.go_float_g(123456.5) == "123456.5" and numbers.go_float_g(0.0001) == "0.0001"
