"""``kiln validate`` against ``packer validate`` (Debian's 1.6.6): a 5,000-line template, and a
directory of 100 template files, side by side in one run, with the ratios.

The templates are generated (deterministically) in Packer 1.6.6's HCL2: variables with types and
defaults, locals with for-expressions, function calls and templates, sources, and builds whose
provisioners use them. Both tools validate the same files; every run must succeed.

    .venv/bin/python bench/bench_validate.py [--runs 3] [--lines 5000] [--files 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench_build import KILN, PACKER, Run, _env, _mb, measure


def variables(prefix: str, count: int) -> str:
    out = []
    for i in range(count):
        out.append(
            f'variable "{prefix}name_{i}" {{\n  type        = string\n  default     = "value-{i}"\n'
            f'  description = "The name number {i}."\n}}\n\n'
            f'variable "{prefix}list_{i}" {{\n  type    = list(string)\n  default = ["a{i}", "b{i}", "c{i}"]\n}}\n\n'
        )
    return "".join(out)


def locals_block(prefix: str, count: int) -> str:
    body = []
    for i in range(count):
        body.append(f'  {prefix}upper_{i}  = upper(var.{prefix}name_{i})\n')
        body.append(f'  {prefix}joined_{i} = join(",", [for s in var.{prefix}list_{i} : "${{s}}-{i}"])\n')
        body.append(f'  {prefix}obj_{i}    = {{ name = var.{prefix}name_{i}, n = length(var.{prefix}list_{i}) * {i} }}\n')
        body.append(f'  {prefix}text_{i}   = "%{{ if {i} % 2 == 0 }}even%{{ else }}odd%{{ endif }}-${{local.{prefix}upper_{i}}}"\n')
    return "locals {\n" + "".join(body) + "}\n\n"


def build(prefix: str, sources: int, provisioners: int, lines_per: int, units: int) -> str:
    out = [f'source "null" "{prefix}s{i}" {{\n  communicator = "none"\n}}\n\n' for i in range(sources)]
    names = ", ".join(f'"source.null.{prefix}s{i}"' for i in range(sources))
    out.append(f"build {{\n  sources = [{names}]\n\n")
    for p in range(provisioners):
        inline = "".join(
            f'      "echo ${{local.{prefix}text_{(p * lines_per + k) % units}}} ${{local.{prefix}obj_{(p + k) % units}.n}}",\n'
            for k in range(lines_per)
        )
        out.append(f'  provisioner "shell-local" {{\n    inline = [\n{inline}    ]\n  }}\n\n')
    out.append(f'  post-processor "manifest" {{\n    output = "{prefix}manifest.json"\n  }}\n}}\n')
    return "".join(out)


def big_template(lines: int) -> str:
    """About ``lines`` lines: a third variables, a third locals, a third provisioners."""
    units = max(1, lines // 3 // 10)  # variables: 10 lines per unit
    text = variables("", units) + locals_block("", units * 2 // 3 + 1)
    units = units * 2 // 3 + 1
    remaining = max(0, lines - text.count("\n"))
    provisioners = max(1, remaining // 60)
    return text + build("", 2, provisioners, 50, units)


def directory(path: Path, files: int) -> None:
    path.mkdir()
    for f in range(files):
        prefix = f"f{f}_"
        text = variables(prefix, 2) + locals_block(prefix, 2) + build(prefix, 1, 1, 3, 2)
        (path / f"t{f:03}.pkr.hcl").write_text(text)


def series(argv: Sequence[str], cwd: Path, runs: int) -> tuple[list[Run], str]:
    env = _env(cwd)
    measure(argv, cwd, env, sample=False)  # warm-up: page cache, .pyc files
    done: list[Run] = []
    for _ in range(runs):
        timed = measure(argv, cwd, env, sample=False)
        sampled = measure(argv, cwd, env, sample=True)
        for r in (timed, sampled):
            if r.returncode != 0:
                return done, f"`{' '.join(argv)}` exited {r.returncode}:\n{r.output[-1500:]}"
        sampled.seconds = timed.seconds
        done.append(sampled)
    return done, ""


def row(name: str, kiln: list[Run], packer: list[Run]) -> str:
    kw, pw = statistics.median(r.seconds for r in kiln), statistics.median(r.seconds for r in packer)
    km, pm = max(r.tree_peak_kb for r in kiln), max(r.tree_peak_kb for r in packer)
    kp, pp = max(r.max_process_kb for r in kiln), max(r.max_process_kb for r in packer)
    return (f"{name:<26} {pw:>8.3f}s {kw:>8.3f}s {kw / pw:>6.2f}x   "
            f"{_mb(pm):>9} {_mb(km):>9}   {_mb(pp):>9} {_mb(kp):>9} {kp / pp:>6.2f}x")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--files", type=int, default=100)
    args = parser.parse_args(argv)
    rc = 0
    with tempfile.TemporaryDirectory(prefix="kiln-bench-validate-") as tmp:
        work = Path(tmp)
        (work / "big.pkr.hcl").write_text(big_template(args.lines))
        directory(work / "many", args.files)
        cases = {
            f"{(work / 'big.pkr.hcl').read_text().count(chr(10))}-line template": "big.pkr.hcl",
            f"directory of {args.files} files": "many",
        }
        print(f"validate, median of {args.runs} runs (wall); peak memory of the process tree and of the largest process")
        print(f"{'':<26} {'packer':>9} {'kiln':>9} {'ratio':>7}   {'packer':>9} {'kiln':>9}   "
              f"{'packer':>9} {'kiln':>9} {'ratio':>7}")
        for label, target in cases.items():
            packer, perr = series([PACKER, "validate", target], work, args.runs)
            kiln, kerr = series([str(KILN), "validate", target], work, args.runs)
            if perr or kerr:
                print(f"{label}: NOT MEASURED\n{perr or kerr}")
                rc = 1
                continue
            print(row(label, kiln, packer))
    return rc


if __name__ == "__main__":
    sys.exit(main())
