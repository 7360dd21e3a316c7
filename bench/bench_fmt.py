"""``kiln fmt -check -recursive`` against ``packer fmt -check`` (Debian's 1.6.6) over a folder of 200
templates, side by side, with the ratio.

The templates are bench_validate's generated HCL2 (variables, locals with for-expressions and
templates, sources, builds); every other one has lost its layout (no indentation, no alignment, extra
blanks), so both tools must read, parse and format all 200 and report the same 100 files (exit 3).
Packer 1.6.6 has no ``-recursive``: the folder is flat, so ``packer fmt -check DIR`` checks the same
files. A second row: the same folder once formatted (every file read, parsed and found formatted).

    .venv/bin/python bench/bench_fmt.py [--runs 5] [--files 200]
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench_build import KILN, PACKER, Run, _env, measure
from bench_validate import build, locals_block, variables


def unformatted(text: str) -> str:
    """The same template without its layout: lines unindented, runs of blanks doubled."""
    return "\n".join(re.sub(r" +", "  ", line.strip()) for line in text.splitlines()) + "\n"


def folder(path: Path, files: int, messy: bool) -> None:
    path.mkdir()
    for f in range(files):
        prefix = f"f{f}_"
        text = variables(prefix, 3) + locals_block(prefix, 3) + build(prefix, 2, 2, 4, 3)
        (path / f"t{f:03}.pkr.hcl").write_text(unformatted(text) if messy and f % 2 else text)


def series(argv: Sequence[str], cwd: Path, runs: int, want_code: int) -> tuple[list[Run], list[float], str]:
    """``runs`` timed runs (after a warm-up): each run, and the CPU time (user + system) it used."""
    env = _env(cwd)
    measure(argv, cwd, env, sample=False)  # warm-up: page cache, .pyc files
    done: list[Run] = []
    cpu: list[float] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        r = measure(argv, cwd, env, sample=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if r.returncode != want_code:
            return done, cpu, f"`{' '.join(argv)}` exited {r.returncode} (expected {want_code}):\n{r.output[-1500:]}"
        done.append(r)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return done, cpu, ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args(argv)
    rc = 0
    with tempfile.TemporaryDirectory(prefix="kiln-bench-fmt-") as tmp:
        work = Path(tmp)
        folder(work / "messy", args.files, messy=True)
        folder(work / "tidy", args.files, messy=False)
        subprocess.run([PACKER, "fmt", "tidy"], cwd=work, check=True, stdout=subprocess.DEVNULL,
                       env=_env(work))  # the generator's layout is close to canonical; Packer's is
        lines = sum(p.read_text().count("\n") for p in (work / "tidy").iterdir())
        print(f"fmt -check over {args.files} templates ({lines} lines), median of {args.runs} runs: wall time, "
              "and CPU time (user + system, worker processes included: steadier on a busy machine)")
        print(f"{'':<34} {'packer':>9} {'kiln':>9} {'ratio':>7}   {'cpu packer':>10} {'cpu kiln':>9} {'ratio':>7}")
        for label, target, want in ((f"{args.files // 2} of {args.files} need formatting", "messy", 3),
                                    (f"all {args.files} formatted", "tidy", 0)):
            packer, pcpu, perr = series([PACKER, "fmt", "-check", target], work, args.runs, want)
            kiln, kcpu, kerr = series([str(KILN), "fmt", "-check", "-recursive", target], work, args.runs, want)
            if perr or kerr:
                print(f"{label}: NOT MEASURED\n{perr or kerr}")
                rc = 1
                continue
            if kiln[-1].output != packer[-1].output:  # the same files reported, in the same order
                print(f"{label}: kiln and packer disagree:\n{kiln[-1].output[:500]}\n--\n{packer[-1].output[:500]}")
                rc = 1
            kw, pw = statistics.median(r.seconds for r in kiln), statistics.median(r.seconds for r in packer)
            kc, pc = statistics.median(kcpu), statistics.median(pcpu)
            print(f"{label:<34} {pw:>8.3f}s {kw:>8.3f}s {kw / pw:>6.2f}x   {pc:>9.3f}s {kc:>8.3f}s {kc / pc:>6.2f}x")
    return rc


if __name__ == "__main__":
    sys.exit(main())
