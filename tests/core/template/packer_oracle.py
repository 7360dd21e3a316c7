"""Run Debian's Packer 1.6.6 (the reference) on templates: many processes at once, to stay quick."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PACKER = "/usr/bin/packer"
SEPARATOR = "----kiln-differential----"


def available() -> bool:
    return shutil.which(PACKER) is not None


@dataclass
class Case:
    """One template directory, the flags given to Packer, and console lines to evaluate."""

    name: str
    files: dict[str, str]
    args: list[str] = field(default_factory=list)  # -var k=v / -var-file f (relative to the template dir)
    env: dict[str, str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def var_pairs(self) -> list[tuple[str, str]]:
        return [tuple(v.split("=", 1)) for f, v in zip(self.args, self.args[1:], strict=False)  # type: ignore[misc]
                if f == "-var"]

    def var_files(self, root: Path) -> list[str]:
        return [str(root / v) for f, v in zip(self.args, self.args[1:], strict=False) if f == "-var-file"]


@dataclass
class Outcome:
    validate_rc: int
    validate_out: str
    console: list[str]  # one printed chunk per line


def console_input(lines: Sequence[str]) -> str:
    return "".join(f'{line}\n"{SEPARATOR}"\n' for line in lines)


def split_console(out: str, n: int) -> list[str]:
    chunks = out.split(SEPARATOR + "\n")
    if len(chunks) != n + 1:
        raise AssertionError(f"console printed {len(chunks) - 1} results for {n} lines:\n{out}")
    return chunks[:-1]


def _args(case: Case, root: Path) -> list[str]:
    out = []
    for i, a in enumerate(case.args):
        prev = case.args[i - 1] if i else ""
        out.append(str(root / a) if prev == "-var-file" else a)
    return out


def run_all(cases: Sequence[Case], base: Path) -> dict[str, Outcome]:
    """``packer validate`` and ``packer console`` (stdin a file: every result printed) for each case."""
    env_base = {k: v for k, v in os.environ.items() if not k.startswith("PKR_VAR_")}
    env_base.update({"CHECKPOINT_DISABLE": "1", "PACKER_NO_COLOR": "1"})
    procs = []
    for case in cases:
        root = base / case.name
        write_files(root, case.files)
        (root / ".console-input").write_text(console_input(case.lines))
        env: Mapping[str, str] = {**env_base, **case.env}
        args = _args(case, root)
        v = subprocess.Popen([PACKER, "validate", *args, str(root)], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=env, cwd=root)
        c = None
        if case.lines:
            with open(root / ".console-input") as stdin:
                c = subprocess.Popen([PACKER, "console", *args, str(root)], stdin=stdin, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env, cwd=root)
        procs.append((case, v, c))
    out = {}
    for case, v, c in procs:
        vout, _ = v.communicate(timeout=60)
        chunks = split_console(c.communicate(timeout=60)[0].decode(), len(case.lines)) if c else []
        out[case.name] = Outcome(v.returncode, vout.decode(), chunks)
    return out


def write_files(root: Path, files: Mapping[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text)
