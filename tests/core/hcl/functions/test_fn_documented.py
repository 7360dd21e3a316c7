"""Functions Debian's Packer 1.6.6 does not have (or where today's cty deliberately differs from it):
checked against the examples in today's Packer/Terraform function documentation, evaluated through
kiln's parser, evaluator and console printer."""

from __future__ import annotations

import base64
import gzip
import re
from pathlib import Path

import pytest

from tests.core.hcl.functions.hclfn_support import kiln_console

DOCUMENTED: list[tuple[str, str]] = [
    ('alltrue(["true", true])', "true"),
    ("alltrue([true, false])", "false"),
    ("alltrue([])", "true"),
    ('anytrue(["true"])', "true"),
    ("anytrue([true, false])", "true"),
    ("anytrue([])", "false"),
    ('startswith("hello world", "hello")', "true"),
    ('startswith("hello world", "world")', "false"),
    ('endswith("hello world", "world")', "true"),
    ('endswith("hello world", "hello")', "false"),
    ('strcontains("hello world", "wor")', "true"),
    ('strcontains("hello world", "wod")', "false"),
    ("sum([10, 13, 6, 4.5])", "33.5"),
    ("sum([])", 'ERROR: Invalid value for "list" parameter: cannot sum an empty list.'),
    (
        'sum(["a"])',
        'ERROR: Invalid value for "list" parameter: argument must be list, set, or tuple of number values.',
    ),
    ("one([])", "null"),
    ('one(["hello"])', "hello"),
    (
        'one(["hello", "goodbye"])',
        'ERROR: Invalid value for "list" parameter: must be a list, set, or tuple value with either zero or one elements.',
    ),
    ('one(toset(["hello"]))', "hello"),
    (
        'transpose({"a" = ["1", "2"], "b" = ["2", "3"]})',
        '{\n  "1" = [\n    "a",\n  ]\n  "2" = [\n    "a",\n    "b",\n  ]\n  "3" = [\n    "b",\n  ]\n}',
    ),
    ('regex("[a-z]+", "53453453.345345aaabbbccc23454")', "aaabbbccc"),
    (
        'regex("(\\\\d\\\\d\\\\d\\\\d)-(\\\\d\\\\d)-(\\\\d\\\\d)", "2019-02-01")',
        '[\n  "2019",\n  "02",\n  "01",\n]',
    ),
    (
        'regex("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/")',
        '{\n  "authority" = "terraform.io"\n  "scheme" = "https"\n}',
    ),
    (
        'regex("[a-z]+", "53453453.34534523454")',
        'ERROR: Call to function "regex" failed: pattern did not match any part of the given string.',
    ),
    (
        'regex("(a)(?P<b>b)", "ab")',
        'ERROR: Invalid value for "pattern" parameter: invalid regexp pattern: cannot mix both named and unnamed capture groups.',
    ),
    ('regex("(a)|(b)", "b")', '[\n  null,\n  "b",\n]'),
    ('regexall("[a-z]+", "1234abcd5678efgh9")', '[\n  "abcd",\n  "efgh",\n]'),
    ('length(regexall("[a-z]+", "1234abcd5678efgh9"))', "2"),
    ('length(regexall("[a-z]+", "123456789")) > 0', "false"),
    (
        'regexall("(\\\\w+)@(\\\\w+)", "a@b c@d")',
        '[\n  [\n    "a",\n    "b",\n  ],\n  [\n    "c",\n    "d",\n  ],\n]',
    ),
    (
        'regexall("(?P<user>\\\\w+)@(?P<host>\\\\w+)", "a@b")',
        '[\n  {\n    "host" = "b"\n    "user" = "a"\n  },\n]',
    ),
    ('regexall("x*", "axb")', '[\n  "",\n  "x",\n  "",\n]'),
    ('regex("(?i)HELLO", "say hello")', "hello"),
    ('regex("\\\\p{Greek}+", "abc αβγ")', "αβγ"),
    ('regex("(?<word>[a-z]+)", "123 abc")', '{\n  "word" = "abc"\n}'),
    ('setsubtract(["a", "b", "c"], ["a", "c"])', '[\n  "b",\n]'),
    ('textencodebase64("Hello World", "UTF-16LE")', "SABlAGwAbABvACAAVwBvAHIAbABkAA=="),
    ('textdecodebase64("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE")', "Hello World"),
    (
        'textencodebase64("x", "no-such-charset")',
        'ERROR: Invalid value for "encoding" parameter: "no-such-charset" is not a supported IANA encoding name or alias.',
    ),
    (
        'textencodebase64("é", "US-ASCII")',
        'ERROR: Invalid value for "string" parameter: the given string contains characters that cannot be represented in US-ASCII.',
    ),
    ('tostring("hello")', "hello"),
    ("tostring(1)", "1"),
    ("tostring(true)", "true"),
    ("tostring([])", 'ERROR: Invalid value for "v" parameter: cannot convert tuple to string.'),
    ("tostring(null)", "null"),
    ('tonumber("1")', "1"),
    (
        'tonumber("no")',
        'ERROR: Invalid value for "v" parameter: cannot convert "no" to number; given string must be a decimal representation of a number.',
    ),
    ('tobool("true")', "true"),
    (
        'tobool("no")',
        'ERROR: Invalid value for "v" parameter: cannot convert "no" to bool; only the strings "true" or "false" are allowed.',
    ),
    ('tolist(["a", "b", 3])', '[\n  "a",\n  "b",\n  "3",\n]'),
    ('toset(["c", "b", "b"])', '[\n  "b",\n  "c",\n]'),
    ('tomap({"a" = 1, "b" = 2})', '{\n  "a" = 1\n  "b" = 2\n}'),
    ('tomap({"a" = "foo", "b" = true})', '{\n  "a" = "foo"\n  "b" = "true"\n}'),
    (
        'tolist({"a" = 1})',
        'ERROR: Invalid value for "v" parameter: cannot convert object to list of any single type.',
    ),
    # today's Packer index (1.6.6 still had Terraform's old one)
    ('index(["a", "b", "c"], "b")', "1"),
    ('index(["a", "b", "c"], "d")', 'ERROR: Call to function "index" failed: item not found.'),
    ('index([], "d")', 'ERROR: Call to function "index" failed: cannot search an empty list.'),
    # where today's cty reports what 1.6.6 got wrong
    (
        'element(["a", "b"], -1)',
        'ERROR: Call to function "element" failed: cannot use element function with a negative index.',
    ),
    ("range(1, 4, 0)", 'ERROR: Invalid value for "params" parameter: step must not be zero.'),
    ("jsonencode(null)", "null"),
    # Go 1.20+ checks the offset's range (1.6.6's Go did not)
    (
        'formatdate("YYYY", "2018-01-02T12:00:00+25:00")',
        'ERROR: Invalid value for "time" parameter: not a valid RFC3339 timestamp: end of string before UTC offset.',
    ),
    (
        'base64decode("/w==")',
        'ERROR: Call to function "base64decode" failed: the result of decoding the provided string is not valid UTF-8.',
    ),
    (
        'indent(-1, "a\\nb")',
        'ERROR: Invalid value for "spaces" parameter: the number of spaces must not be negative.',
    ),
    # marks: a sensitive argument makes a sensitive result
    ('sensitive("secret")', "<sensitive>"),
    ('upper(sensitive("secret"))', "<sensitive>"),
    ('nonsensitive(upper(sensitive("secret")))', "SECRET"),
    ('format("%s-%s", "a", sensitive("b"))', "<sensitive>"),
    ('length(sensitive(["a", "b"]))', "<sensitive>"),
    ('[for s in ["a", sensitive("b")] : upper(s)]', '[\n  "A",\n  "<sensitive>",\n]'),
]


@pytest.mark.parametrize(("source", "expected"), DOCUMENTED, ids=[s for s, _ in DOCUMENTED])
def test_documented_example(source: str, expected: str) -> None:
    assert kiln_console(source) == expected


def test_base64gzip_round_trips_and_matches_go() -> None:
    encoded = kiln_console('base64gzip("hello world, hello world")')
    assert gzip.decompress(base64.b64decode(encoded)) == b"hello world, hello world"
    # the value Terraform's own tests expect from Go's gzip writer
    assert kiln_console('base64gzip("test")') == "H4sIAAAAAAAA/ypJLS4BAAAA//8BAAD//wx+f9gEAAAA"


def test_timestamp_is_rfc3339_utc() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", kiln_console("timestamp()"))


def test_legacy_time_functions_agree_on_one_instant() -> None:
    iso = kiln_console('legacy_isotime("2006-01-02T15:04:05Z07:00 Mon Jan _2 3PM .000")')
    strf = kiln_console('legacy_strftime("%Y-%m-%dT%H:%M:%SZ %a %b %d %I%p %L")')
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ [A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{1,2}[AP]M \.\d{3}", iso
    )
    assert iso[:20] == strf[:20]
    assert kiln_console("legacy_isotime()") == iso[:20]
    assert kiln_console('legacy_strftime("100%% %Q")') == "100% %Q"


def test_env_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KILN_FN_TEST", "value from env")
    monkeypatch.delenv("KILN_FN_UNSET", raising=False)
    assert kiln_console('env("KILN_FN_TEST")') == "value from env"
    assert kiln_console('env("KILN_FN_UNSET")') == ""


def test_bcrypt_hash_verifies_and_honours_cost() -> None:
    import bcrypt

    hashed = kiln_console('bcrypt("hunter2", 5)')
    assert hashed.startswith("$2a$05$")
    assert bcrypt.checkpw(b"hunter2", hashed.encode())
    assert kiln_console('bcrypt("x")').startswith("$2a$10$")
    assert kiln_console('bcrypt("x", 3)').startswith("$2a$10$")  # Go falls back to the default cost
    assert "outside allowed range (4,31)" in kiln_console('bcrypt("x", 32)')


def test_uuidv4_is_random_version_4() -> None:
    a, b = kiln_console("uuidv4()"), kiln_console("uuidv4()")
    assert a != b
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", a)


# ---- templatefile ------------------------------------------------------------------------------------


@pytest.fixture
def templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "backends.tftpl").write_text(
        "%{ for addr in ip_addrs ~}\nbackend ${addr}:${port}\n%{ endfor ~}\n"
    )
    (tmp_path / "single.tftpl").write_text("${value}")
    (tmp_path / "nested.tftpl").write_text('${templatefile("single.tftpl", {value = 1})}')
    (tmp_path / "funcs.tftpl").write_text("${upper(name)} ${jsonencode(tags)}")
    (tmp_path / "broken.tftpl").write_text("${")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_templatefile_renders_documented_example(templates: Path) -> None:
    out = kiln_console('templatefile("backends.tftpl", { port = 8080, ip_addrs = ["10.0.0.1", "10.0.0.2"] })')
    assert out == "backend 10.0.0.1:8080\nbackend 10.0.0.2:8080\n"


def test_templatefile_single_interpolation_keeps_type_and_functions_work(templates: Path) -> None:
    assert kiln_console('templatefile("single.tftpl", { value = [1, 2] })') == "[\n  1,\n  2,\n]"
    assert kiln_console('templatefile("funcs.tftpl", { name = "web", tags = {a = 1} })') == 'WEB {"a":1}'


def test_templatefile_errors(templates: Path) -> None:
    assert kiln_console('templatefile("backends.tftpl", { port = 1 })') == (
        'ERROR: Invalid value for "vars" parameter: vars map does not contain key "ip_addrs", '
        "referenced at backends.tftpl:1,16-24."
    )
    assert kiln_console('templatefile("single.tftpl", "x")') == (
        'ERROR: Invalid value for "vars" parameter: invalid vars value: must be a map.'
    )
    assert kiln_console('templatefile("single.tftpl", { "1x" = 1, value = 2 })') == (
        'ERROR: Invalid value for "vars" parameter: invalid template variable name "1x": must start with a '
        "letter, followed by zero or more letters, digits, and underscores."
    )
    assert "cannot recursively call templatefile from inside templatefile call" in kiln_console(
        'templatefile("nested.tftpl", {})'
    )
    assert kiln_console('templatefile("missing.tftpl", {})').startswith(
        'ERROR: Call to function "templatefile" failed: no file exists at missing.tftpl'
    )
    assert kiln_console('templatefile("broken.tftpl", {})').startswith(
        'ERROR: Call to function "templatefile" failed: broken.tftpl:1,'
    )


def test_file_functions_resolve_against_base_dir(tmp_path: Path) -> None:
    from kiln.hcl.evaluate import EvalContext, evaluate
    from kiln.hcl.format import console_value
    from kiln.hcl.functions import functions_for
    from kiln.hcl.parse import parse_expression

    (tmp_path / "data.txt").write_text("content")
    ctx = EvalContext(functions=functions_for(str(tmp_path)))

    def run(src: str) -> str:
        return console_value(evaluate(parse_expression(src), ctx))

    assert run('file("data.txt")') == "content"
    assert run('fileexists("data.txt")') == "true"
    assert run('filemd5("data.txt")') == "9a0364b9e99bb480dd25e1f0284c8555"
    assert run('filesha1("data.txt")') == "040f06fd774092478d450774f5ba30c5da78acc8"
    assert run('filebase64("data.txt")') == "Y29udGVudA=="
    assert (
        run('filebase64sha256("data.txt")')
        == base64.b64encode(__import__("hashlib").sha256(b"content").digest()).decode()
    )
    assert run('fileset(".", "*")') == '[\n  "data.txt",\n]'
