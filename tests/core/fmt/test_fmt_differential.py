"""``kiln fmt``'s layout against Debian's Packer 1.6.6 ``packer fmt``: byte-identical files.

Every hand-written fixture (one or more per hclwrite rule), generated ones (formatted fixtures with
their blanks perturbed at random) and random templates (random structures in random layouts) are
written to one folder, which Packer formats in a single run;
kiln must produce the same bytes for each, and must agree with Packer on which files do not parse.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest
from kiln.fmt import format_source
from kiln.fmt.files import FileError, parse_or_fail

from tests.core.fmt.fixtures import BAD, FIXTURES, generated, random_templates, unicode_columns

pytestmark = pytest.mark.skipif(shutil.which("packer") is None, reason="needs Debian's packer 1.6.6")

# The random characters are picked with this Python's Unicode tables; kiln's column counts follow Go's
# (Unicode 12) through a table made for Python 3.11's Unicode 14: on another Python, other characters.
UNICODE_14 = unicodedata.unidata_version == "14.0.0"
CASES = {**FIXTURES, **generated(150), **random_templates(120), **(unicode_columns(80) if UNICODE_14 else {})}
ENV = {"PATH": "/usr/bin:/bin", "CHECKPOINT_DISABLE": "1"}


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes | None]:
    """Packer's formatted bytes per case (None: Packer could not parse it)."""
    d = tmp_path_factory.mktemp("fmt")
    for name, text in CASES.items():
        (d / f"{name}.pkr.hcl").write_bytes(text.encode("utf-8"))
    p = subprocess.run(["packer", "fmt", str(d)], capture_output=True, text=True, env={**ENV, "HOME": str(d)},
                       timeout=300)
    failed = {line.rsplit("/", 1)[-1].removesuffix(".pkr.hcl") for line in p.stdout.splitlines()
              if line.startswith("Error: encountered an error while formatting ")}
    return {name: None if name in failed else (d / f"{name}.pkr.hcl").read_bytes() for name in CASES}


@pytest.mark.parametrize("name", sorted(CASES))
def test_layout_matches_packer(name: str, oracle: dict[str, bytes | None]) -> None:
    data = CASES[name].encode("utf-8")
    want = oracle[name]
    if want is None:
        with pytest.raises(FileError):
            parse_or_fail(data, f"{name}.pkr.hcl")
        return
    text = parse_or_fail(data, f"{name}.pkr.hcl")
    assert format_source(text).encode("utf-8") == want


def test_generators_make_work() -> None:
    """The generated cases are not formatted already (most need formatting)."""
    for prefix in ("gen", "rnd"):
        changed = [n for n, text in CASES.items() if n.startswith(prefix) and format_source(text) != text]
        assert len(changed) > 100


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The BAD sources Packer refuses to format."""
    d = tmp_path_factory.mktemp("bad")
    for name, text in BAD.items():
        (d / f"{name}.pkr.hcl").write_text(text)
    (d / "bad_utf8.pkr.hcl").write_bytes(b'a = "\xff"\n')
    p = subprocess.run(["packer", "fmt", "-check", str(d)], capture_output=True, text=True,
                       env={**ENV, "HOME": str(d)}, timeout=300)
    prefix = "Error: encountered an error while formatting "
    return {line[len(prefix):].rsplit("/", 1)[-1].removesuffix(".pkr.hcl") for line in p.stdout.splitlines()
            if line.startswith(prefix)}


@pytest.mark.parametrize("name", sorted([*BAD, "bad_utf8"]))
def test_kiln_refuses_what_packer_refuses(name: str, refused: set[str]) -> None:
    data = b'a = "\xff"\n' if name == "bad_utf8" else BAD[name].encode()
    assert name in refused, "the fixture is meant to be one Packer refuses"
    with pytest.raises(FileError) as info:
        parse_or_fail(data, f"{name}.pkr.hcl")
    assert f"{name}.pkr.hcl:" in str(info.value)  # newer Packer's detail says where: file:line,col


@pytest.fixture(scope="module")
def validate_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[str, int]]]:
    """``packer validate``'s parse errors for each BAD source: (summary, line), in its order."""
    d = tmp_path_factory.mktemp("validate")
    for name, text in BAD.items():
        (d / f"{name}.pkr.hcl").write_text(text)
    (d / "bad_utf8.pkr.hcl").write_bytes(b'a = "\xff"\n')
    script = 'for f in *.pkr.hcl; do packer validate "$f" > "${f%.pkr.hcl}.out"; done'
    subprocess.run(["bash", "-c", script], cwd=d, env={**ENV, "HOME": str(d)}, timeout=600)
    out: dict[str, list[tuple[str, int]]] = {}
    for name in [*BAD, "bad_utf8"]:
        found = re.findall(r"^Error: (.*)\n\n  on \S+ line (\d+)", (d / f"{name}.out").read_text(errors="replace"),
                           flags=re.M)
        out[name] = [(summary, int(line)) for summary, line in found]
    return out


# Not "bad_utf8": hclsyntax reports the bad byte and then the string it breaks as unterminated; kiln
# reports the bad byte only (its parser reads text, not bytes).
@pytest.mark.parametrize("name", sorted(BAD))
def test_parse_errors_say_where_as_packer(name: str, validate_errors: dict[str, list[tuple[str, int]]]) -> None:
    """kiln's detail (newer Packer's: each diagnostic as ``file:line,col-col: summary; detail``) names the
    errors Packer finds, at the lines where it finds them (``packer validate`` shows both)."""
    with pytest.raises(FileError) as info:
        parse_or_fail(BAD[name].encode(), f"{name}.pkr.hcl")
    got = re.findall(rf"^\t\* {re.escape(name)}\.pkr\.hcl:(\d+),\d+-[\d,]+: ([^;]*);", str(info.value), flags=re.M)
    assert [(summary, int(line)) for line, summary in got] == validate_errors[name]
