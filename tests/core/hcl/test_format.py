"""``packer console`` (1.6.6) value printing; the differential tests check it against Packer itself."""

from __future__ import annotations

from decimal import Decimal

from kiln.hcl.convert import from_python
from kiln.hcl.format import console_value, go_quote
from kiln.hcl.values import NUMBER, SENSITIVE, STRING, ListType, Value, null, number, string, unknown


def test_scalars() -> None:
    assert console_value(string("a\nb")) == "a\nb"
    assert console_value(number("0.1")) == "0.1"
    assert console_value(number(10**20)) == "1e+20"
    assert console_value(number(2**62)) == "4611686018427387904"
    assert console_value(number("1234567.5")) == "1.2345675e+06"
    assert console_value(number("0.00001")) == "1e-05"
    assert console_value(Value(NUMBER, Decimal("Infinity"))) == "+Inf"
    assert console_value(from_python(True)) == "true"
    assert console_value(null()) == "null"


def test_collections_nest_with_quotes_and_sorted_keys() -> None:
    v = from_python({"b": [1, "x", None], "a": {"c": 'q"uote'}, "n": None})
    assert console_value(v) == (
        '{\n  "a" = {\n    "c" = "q\\"uote"\n  }\n  "b" = [\n    1,\n    "x",\n    null,\n  ]\n}'
    )
    assert console_value(from_python([])) == "[]"
    assert console_value(from_python({})) == "{}"


def test_unknown_and_sensitive() -> None:
    assert console_value(unknown(STRING)) == "<unknown>"
    assert console_value(Value(ListType(STRING), [string("a"), unknown(STRING)])) == "<unknown>"
    assert console_value(string("hunter2").mark(SENSITIVE)) == "<sensitive>"
    assert console_value(from_python(["a"]).mark(SENSITIVE)) == "<sensitive>"
    nested = Value(ListType(STRING), [string("ok"), string("hunter2").mark(SENSITIVE)])
    assert console_value(nested) == '[\n  "ok",\n  "<sensitive>",\n]'


def test_go_quote() -> None:
    assert go_quote('a"b\\c\n\t\x01\x7fé\u00a0\U0001f600') == '"a\\"b\\\\c\\n\\t\\x01\\x7fé\\u00a0😀"'
