"""The checked-in corpus of nasty inputs (tests/fuzz/corpus/) through the real CLI: every input ends with
a clear error (or, for the ones Packer accepts, success), never a traceback, a crash report or a hang.

corpus/hcl/bad, json/bad, pkrjson/bad: templates ``kiln validate`` must reject (exit 1); hcl/good: inputs
that look nasty but Packer accepts (exit 0); varfile/bad: variable files (exit 1); cli/bad: argument
lists, one JSON array per file (exit 1); console: lines for ``kiln console -config-type=hcl2`` (exit 0, as
Packer's console: errors are printed, the session goes on). Each input runs in a process of its own
(tests/fuzz/driver.py forks them from one process that imported kiln once, so 180 inputs take seconds).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"
DRIVER = Path(__file__).parent / "driver.py"
BASE = 'variable "x" {\n  type    = string\n  default = "a"\n}\nsource "null" "a" {\n  communicator = "none"\n}\n' \
       'build {\n  sources = ["source.null.a"]\n}\n'


def _cases(work: Path) -> list[dict[str, object]]:
    cases: list[dict[str, object]] = []

    def add(name: str, argv: list[str], expect: int, stdin: str = "") -> None:
        cases.append({"name": name, "argv": argv, "cwd": str(work), "stdin": stdin, "expect": expect})

    for kind in ("hcl", "json", "pkrjson"):
        for expect, folder in ((1, "bad"), (0, "good")):
            for path in sorted((CORPUS / kind / folder).glob("*")) if (CORPUS / kind / folder).is_dir() else []:
                shutil.copy(path, work / path.name)
                add(f"{kind}/{folder}/{path.name}", ["validate", path.name], expect)
    (work / "base.pkr.hcl").write_text(BASE)
    for path in sorted((CORPUS / "varfile" / "bad").glob("*")):
        shutil.copy(path, work / path.name)
        add(f"varfile/bad/{path.name}", ["validate", f"-var-file={path.name}", "base.pkr.hcl"], 1)
    for name, text in (("t.pkr.hcl", BASE), ("a.pkr.hcl", BASE), ("b.pkr.hcl", BASE),
                       ("bad.pkr.hcl", "locals {\n"), ("bad.json", "{")):
        (work / name).write_text(text)
    for path in sorted((CORPUS / "cli" / "bad").glob("*.args")):
        add(f"cli/bad/{path.name}", json.loads(path.read_text()), 1)
    for path in sorted((CORPUS / "console").glob("*.txt")):
        add(f"console/{path.name}", ["console", "-config-type=hcl2"], 0, stdin=path.read_text())
    return cases


def run_inputs(tmp_path: Path, cases: list[dict[str, object]]) -> list[dict[str, object]]:
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    env = {**os.environ, "HOME": str(tmp_path / "home"), "KILN_PLUGIN_STANDBY": "0", "CHECKPOINT_DISABLE": "1"}
    env.pop("KILN_LOG", None)
    subprocess.run([sys.executable, str(DRIVER), str(tmp_path / "cases.json"), str(tmp_path / "results.json")],
                   check=True, env=env, timeout=3600, stdin=subprocess.DEVNULL)
    return json.loads((tmp_path / "results.json").read_text())  # type: ignore[no-any-return]


def problems(cases: list[dict[str, object]], results: list[dict[str, object]]) -> list[str]:
    bad = []
    for case, r in zip(cases, results, strict=True):
        out = str(r["output"])
        if r["hung"]:
            bad.append(f"{case['name']}: hung")
        elif "Traceback" in out or "kiln crashed" in out:
            bad.append(f"{case['name']}: traceback or crash: {out[-1500:]}")
        elif "expect" in case and r["code"] != case["expect"]:
            bad.append(f"{case['name']}: exit {r['code']}, expected {case['expect']}: {out[:600]}")
        elif r["code"] == 1 and not out.strip():
            bad.append(f"{case['name']}: exit 1 without a word")
    return bad


def test_every_nasty_input_gets_a_clear_answer(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    cases = _cases(work)
    assert len(cases) > 150
    results = run_inputs(tmp_path, cases)
    assert problems(cases, results) == []


@pytest.mark.parametrize(("name", "where"), [("hcl/bad/paren-300.pkr.hcl", "line 2, in locals"),
                                             ("hcl/bad/unterminated-comment.pkr.hcl", "line 1")])
def test_the_corpus_errors_name_the_place(tmp_path: Path, name: str, where: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(CORPUS / name, work / "t.pkr.hcl")
    [r] = run_inputs(tmp_path, [{"name": name, "argv": ["validate", "t.pkr.hcl"], "cwd": str(work)}])
    assert r["code"] == 1 and f"on t.pkr.hcl {where}" in str(r["output"])
