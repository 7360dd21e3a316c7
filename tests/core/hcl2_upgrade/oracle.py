"""Shared by the hcl2_upgrade tests: Packer 1.6.6 as the oracle, and its documented differences.

kiln follows newer Packer (docs/hcl2_upgrade.md, "Differences from Packer 1.6.6"). Each difference
is an exact rewrite of Packer 1.6.6's output here; a rewrite asserts that the text it changes is
there, so a fixture cannot pass by a rewrite that did nothing.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

from kiln.cli import hcl2_upgrade as cli
from kiln.cli import validate as validate_cli
from kiln.hcl2_upgrade import comments

NULL = {"type": "null", "communicator": "none"}
FILE = {"type": "file", "content": "x", "target": "out.txt"}
PACKER_ENV = {"PATH": "/usr/bin:/bin", "CHECKPOINT_DISABLE": "1"}


def t(*builders: object, pr: object = None, pp: object = None, **extra: object) -> str:
    """A JSON template (``sensitive_variables`` is written ``sensitive-variables``)."""
    d: dict[str, object] = {}
    d.update({"sensitive-variables" if k == "sensitive_variables" else k: v for k, v in extra.items()})
    if builders:
        d["builders"] = list(builders)
    if pr is not None:
        d["provisioners"] = pr
    if pp is not None:
        d["post-processors"] = pp
    return json.dumps(d, indent=2)


def run_packer_all(folder: Path, cases: Mapping[str, str]) -> None:
    """``packer hcl2_upgrade NAME.json`` for every case, in one shell loop: NAME.stdout, NAME.rc and
    the output file as NAME.packer.hcl."""
    for name, text in cases.items():
        (folder / f"{name}.json").write_text(text)
    script = ('for f in *.json; do packer hcl2_upgrade "$f" > "${f%.json}.stdout" 2>/dev/null; '
              'echo $? > "${f%.json}.rc"; mv "$f.pkr.hcl" "${f%.json}.packer.hcl" 2>/dev/null; done')
    subprocess.run(["bash", "-c", script], cwd=folder, check=True, timeout=600,
                   env={**PACKER_ENV, "HOME": str(folder)})


def kiln(args: list[str]) -> tuple[int, str]:
    """``kiln hcl2_upgrade ARGS`` in this process: (exit code, stdout)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.run(args)
    return code, out.getvalue()


def validate_syntax(path: Path) -> tuple[int, str]:
    """``kiln validate -syntax-only`` on a copy named ``*.pkr.hcl``."""
    target = path.with_name(path.name.removesuffix(".hcl").removesuffix(".pkr") + ".check.pkr.hcl")
    target.write_text(path.read_text())
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = validate_cli.run(["-syntax-only", str(target)])
    return code, out.getvalue()


# --- the documented differences, as rewrites of Packer 1.6.6's output ---------------------------------

OLD_FILE = comments.FILE.replace("by the 'packer", "by the BETA 'packer")
OLD_VARIABLES = comments.VARIABLES.replace("templates/hcl_templates", "from-1.5") + "\n"
OLD_TIMESTAMP = comments.TIMESTAMP + 'locals { timestamp = regex_replace(timestamp(), "[- TZ:]", "") }\n'

Rewrite = Callable[[str], str]


def must_replace(text: str, old: str, new: str) -> str:
    assert old in text, f"the documented difference does not apply: {old!r} is not in Packer's output"
    return text.replace(old, new, 1)


def _newer_links(text: str) -> str:
    return text.replace("https://www.packer.io/docs/from-1.5/", "https://www.packer.io/docs/templates/hcl_templates/")


def newer_comments(text: str) -> str:
    """Difference 1: no "BETA" in the header; links under templates/hcl_templates, not from-1.5."""
    return _newer_links(must_replace(text, OLD_FILE, comments.FILE))


def no_variables_header(text: str) -> str:
    """Difference 1: without variables, no variables comment."""
    return must_replace(text, _newer_links(OLD_VARIABLES), "\n")


def no_timestamp_local(text: str) -> str:
    """Difference 2: the ``timestamp`` local only when a ``{{timestamp}}`` call was converted."""
    return must_replace(text, "\n" + OLD_TIMESTAMP, "")


def blank_line_after_provisioners(text: str) -> str:
    """Difference 3: a blank line ends each provisioner block."""
    out: list[str] = []
    inside = False
    for line in text.split("\n"):
        out.append(line)
        if re.match(r'  (provisioner|error-cleanup-provisioner) "[^"]*" {$', line):
            inside = True
        elif inside and line == "  }":
            out.append("")
            inside = False
    return "\n".join(out)


def uses_timestamp(text: str) -> bool:
    return bool(re.search(r"{{-?\s*timestamp\s*-?}}", text))


def base_rewrites(source: str) -> list[Rewrite]:
    """The differences every template's output goes through (1 to 3)."""
    doc = json.loads(source)
    out: list[Rewrite] = [newer_comments, blank_line_after_provisioners]
    if not doc.get("variables"):
        out.append(no_variables_header)
    if not uses_timestamp(source):
        out.append(no_timestamp_local)
    return out


def success_line(packer_stdout: str, name: str, output: Path) -> str:
    """Difference 4: "Successfully created F. Exit 0" for 1.6.6's "Successfully created F "."""
    old_last = f"Successfully created {name}.json.pkr.hcl \n"
    assert packer_stdout.endswith(old_last), packer_stdout
    return packer_stdout[:-len(old_last)] + f"Successfully created {output}. Exit 0\n"


def strip_annotations(text: str) -> str:
    """``-with-annotations`` output minus its annotations: what newer Packer writes without the flag."""
    assert text.startswith(comments.FILE)
    text = text[len(comments.FILE):]
    text = text.replace(comments.BUILD, "\n")
    for note in (comments.PACKER, comments.VARIABLES, comments.SOURCES, comments.LOCALS, comments.AMI,
                 comments.SECRETS, comments.TIMESTAMP):
        text = text.replace(note, "")
    return text


def points_sorted(text: str) -> list[str]:
    """The lines, each run of "\\t* " points sorted: Packer 1.6.6 checks required variables in Go's
    random map order, so with several missing it lists them in any order."""
    out: list[str] = []
    run: list[str] = []
    for line in [*text.split("\n"), ""]:
        if line.startswith("\t* "):
            run.append(line)
            continue
        out += sorted(run) + [line]
        run = []
    return out[:-1]
