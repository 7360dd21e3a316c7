"""``kiln inspect`` over the corpus of nasty inputs (tests/fuzz/corpus/), never a
traceback, a crash report or a hang. Inspect loads more leniently than validate (errors in locals and
builds do not stop it), so a template validate rejects may be inspected (exit 0); a template validate
accepts always is; an exit 1 always says why."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.fuzz.test_corpus import CORPUS, problems, run_inputs


def test_inspect_gives_every_nasty_input_a_clear_answer(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    cases: list[dict[str, object]] = []
    for kind in ("hcl", "json", "pkrjson"):
        for folder in ("bad", "good"):
            for path in sorted((CORPUS / kind / folder).glob("*")) if (CORPUS / kind / folder).is_dir() else []:
                shutil.copy(path, work / path.name)
                case: dict[str, object] = {"name": f"{kind}/{folder}/{path.name}", "argv": ["inspect", path.name],
                                           "cwd": str(work)}
                if folder == "good":
                    case["expect"] = 0
                cases.append(case)
    assert len(cases) > 100
    results = run_inputs(tmp_path, cases)
    assert problems(cases, results) == []
    assert {r["code"] for r in results} <= {0, 1}
    assert any(r["code"] == 1 for r in results) and any(r["code"] == 0 for r in results)
