"""Differential test: kiln's functions against Debian's Packer 1.6.6 (``packer console``).

Every call below runs through ONE Packer process (batched); kiln's result is printed the way the
console prints it and compared exactly (errors: the diagnostic's detail, whitespace-normalised
because the console wraps long lines). Functions Packer 1.6.6 lacks are covered by
``test_fn_documented.py`` against the examples of today's Packer documentation.
"""

from __future__ import annotations

import pytest
from hclfn_support import NULL, B, Call, N, O, S, T, call, kiln_output, packer_available, packer_console

CASES: list[Call] = [
    # numeric
    call("abs", N(-3.5)),
    call("abs", N(0)),
    call("abs", S("-7")),
    call("abs", S("x")),
    call("abs", NULL),
    call("ceil", N(4.1)),
    call("ceil", N(-4.1)),
    call("floor", N(4.9)),
    call("floor", N(-4.1)),
    call("log", N(50), N(10)),
    call("log", N(16), N(2)),
    call("log", N(1), N(10)),
    call("log", N(0), N(10)),
    call("pow", N(3), N(2)),
    call("pow", N(4), N(0.5)),
    call("pow", N(2), N(-1)),
    call("signum", N(-13)),
    call("signum", N(0)),
    call("signum", N(344)),
    call("max", N(12), N(54), N(3)),
    call("max", N(1.5), S("2")),
    call("max"),
    call("min", N(12), N(54), N(3)),
    call("min", N(-1)),
    call("parseint", S("100"), N(10)),
    call("parseint", S("FF"), N(16)),
    call("parseint", S("-10"), N(16)),
    call("parseint", S("1011111011101111"), N(2)),
    call("parseint", S("aA"), N(62)),
    call("parseint", S("12"), N(2)),
    call("parseint", S("12"), N(1)),
    call("parseint", N(12), N(10)),
    call("parseint", S("0x12"), N(16)),
    call("parseint", S("1"), N(2.5)),
    # strings
    call("upper", S("hello ß ǆ")),
    call("upper", N(1)),
    call("upper", B(True)),
    call("upper", NULL),
    call("upper", T(N(1))),
    call("lower", S("HELLO ǅ İ")),
    call("strrev", S("héllo")),
    call("strrev", S("")),
    call("title", S("hello wORLD foo_bar a-b ünï")),
    call("chomp", S("hello\n\n")),
    call("chomp", S("a\r\n\r\n")),
    call("chomp", S("a\n\rb\n\r")),
    call("trimspace", S("\t x \u0085\u00a0")),
    call("trimspace", S("\x1cx")),
    call("trim", S("?!hello?!"), S("!?")),
    call("trim", S("abc"), S("")),
    call("trimprefix", S("helloworld"), S("hello")),
    call("trimprefix", S("helloworld"), S("cat")),
    call("trimsuffix", S("helloworld"), S("world")),
    call("indent", N(2), S("a\nb\n")),
    call("indent", N(1.5), S("a\nb")),
    call("split", S(","), S("a,b,c")),
    call("split", S(","), S("")),
    call("split", S(""), S("abc")),
    call("split", S(","), S("foo")),
    call("join", S(", "), T(S("foo"), S("bar"), S("baz"))),
    call("join", S(","), T(S("a")), T(S("b"), S("c"))),
    call("join", S(",")),
    call("join", S(","), T(S("a"), NULL)),
    call("join", S(","), T(N(1), B(True))),
    call("join", S(","), T()),
    call("replace", S("1 + 2 + 3"), S("+"), S("-")),
    call("replace", S("hello"), S("/l+/"), S("[$0]")),
    call("replace", S("abc"), S(""), S("-")),
    call("regex_replace", S("hello"), S("(l)(o)"), S("$2$1$$${1}x$1x")),
    call("regex_replace", S("hello world"), S("o"), S("0")),
    call("regex_replace", S("abc"), S("(?P<x>b)"), S("[${x}]")),
    call("regex_replace", S("abc"), S("("), S("")),
    call("regex_replace", S("abc"), S(")"), S("")),
    call("regex_replace", S("abc"), S("[a"), S("")),
    call("regex_replace", S("abc"), S("*"), S("")),
    call("regex_replace", S("abc"), S("a**"), S("")),
    call("regex_replace", S("abc"), S("\\y"), S("")),
    call("regex_replace", S("abc"), S("(?=a)"), S("")),
    call("regex_replace", S("abc"), S("(a)\\1"), S("")),
    call("regex_replace", S("a1 b2"), S("\\b\\w"), S("X")),
    call("regex_replace", S("a\nb\n"), S("$"), S("X")),
    call("regex_replace", S("a\nb\n"), S("(?m)$"), S("X")),
    call("regex_replace", S("aaa"), S("a*?"), S("X")),
    call("regex_replace", S("abc"), S(""), S("-")),
    call("regex_replace", S("abxd"), S("x*"), S("-")),
    call("regex_replace", S("AbC"), S("(?i)b"), S("x")),
    call("regex_replace", S("abc"), S("[[:alpha:]]"), S("x")),
    call("regex_replace", S("abc1"), S("\\pL"), S("x")),
    call("regex_replace", S("é1"), S("\\w"), S("x")),
    call("regex_replace", S("aB|C"), S("a(?i)b|c"), S("y")),
    call("regex_replace", S("abcB"), S("a(?i)b(c)B"), S("y")),
    call("regex_replace", S("a.b"), S("\\Q.\\E"), S("-")),
    call("regex_replace", S("x{2}"), S("x{2"), S("-")),
    call("regex_replace", S("2024-01-05"), S("(\\d+)-(\\d+)-(\\d+)"), S("$3/$2/$1")),
    call("substr", S("hello world"), N(1), N(4)),
    call("substr", S("hello"), N(-3), N(-1)),
    call("substr", S("hello"), N(10), N(2)),
    call("substr", S("hello"), N(-10), N(2)),
    call("substr", S("hello"), N(-10), N(7)),
    call("substr", S("hello"), N(0), N(0)),
    call("substr", S("hello"), N(2), N(100)),
    call("substr", S("hello"), N(5), N(1)),
    call("substr", S("héllo"), N(1), N(1)),
    # format
    call("format", S("Hello, %s!"), S("Ander")),
    call("format", S("There are %d lights"), N(4)),
    call("format", S("%v|%v|%v|%v"), S("s"), N(1.5), B(True), T(N(1), N(2))),
    call("format", S("%v"), O(a=N(1), b=T(S("x"), NULL))),
    call("format", S("%v"), N(1234567)),
    call("format", S("%v"), N(0.00001)),
    call("format", S("%#v"), S("x<y")),
    call("format", S("%d"), N(1.5)),
    call("format", S("%d"), S("12")),
    call("format", S("%5.2f|%-6d|%+d|%x|%X|%o|%b"), N(3.14159), N(42), N(5), N(255), N(255), N(8), N(5)),
    call(
        "format",
        S("%e|%E|%g|%G|%.3g|%.10g"),
        N(1234.5678),
        N(1234.5678),
        N(1234.5678),
        N(0.00001234),
        N(1234.5678),
        N(2),
    ),
    call(
        "format",
        S("%08.3f|%-8.2f|%+.1e|% d|%05d|%#x|%#o"),
        N(-3.14159),
        N(2.5),
        N(12345),
        N(7),
        N(-42),
        N(255),
        N(8),
    ),
    call("format", S("%.0f|%.1f|%.2f"), N(2.5), N(0.05), N(1.005)),
    call("format", S("%f|%e"), N(0), N(0)),
    call("format", S("%q|%s|%t"), S('a"b'), S("x"), B(True)),
    call("format", S("%[2]s %[1]s %s"), S("a"), S("b")),
    call("format", S("%*d"), N(5), N(3)),
    call("format", S("%s"), NULL),
    call("format", S("%v"), NULL),
    call("format", S("%d"), NULL),
    call("format", S("%z"), N(1)),
    call("format", S("%s")),
    call("format", S("%s"), S("a"), S("b")),
    call("format", S("%.3s|%10s|%-10s|"), S("abcdef"), S("r"), S("l")),
    call("format", S("%x"), S("hi")),
    call("format", S("%5t|%t"), B(True), S("false")),
    call("format", S("%s"), N(10000000000000000000000)),
    call("format", S("%s"), T(N(1))),
    call("format", S("%t"), N(1)),
    call("format", S("100%%")),
    call("format", S("%")),
    call("format", S("ab%-5")),
    call("format", S("ab%[1")),
    call("format", S("ab%[1]")),
    call("format", S("%[x]d"), N(1)),
    call("format", S("%[0]d"), N(1)),
    call("format", S("%.d|%-05d|%-+5d"), N(1), N(1), N(2)),
    call("format", S("é%ä"), N(1)),
    call("format", S("%5.1q"), S("abc")),
    call("format", S("%[3]d"), N(1)),
    call("format", S("%[1]d %d %d"), N(1), N(2)),
    call("format", S("%e|%.2f"), N("1e400"), N("1e-400")),
    call("substr", S("abc"), N(1.5), N(1)),
    call("format", S("%5v|%-5v|%05v"), S("a"), N(1), S("b")),
    call("format", S("%08.3e"), N(1234.5)),
    call("formatlist", S("Hello, %s!"), T(S("Valentina"), S("Ander"))),
    call("formatlist", S("%s, %s!"), S("Salutations"), T(S("Valentina"), S("Ander"))),
    call("formatlist", S("%s=%s"), T(S("a"), S("b")), T(S("1"))),
    call("formatlist", S("%s"), T()),
    call("formatlist", S("x")),
    call("formatlist", S("%s %s"), S("a")),
    call("formatlist", S("%d"), T(S("x"))),
]


@pytest.fixture(scope="module")
def packer_results() -> dict[str, str]:
    if not packer_available():
        pytest.skip("Debian's packer (1.6.6) is not installed")
    sources = [c.source() for c in CASES]
    return dict(zip(sources, packer_console(sources), strict=True))


def _norm(text: str) -> str:
    return " ".join(text.split()) if text.startswith("ERROR: ") else text


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 150
    assert len({c.source() for c in CASES}) == len(CASES), "duplicate cases"


@pytest.mark.parametrize("case", CASES, ids=[c.source() for c in CASES])
def test_same_as_packer(case: Call, packer_results: dict[str, str]) -> None:
    expected = packer_results[case.source()]
    assert _norm(kiln_output(case)) == _norm(expected)
