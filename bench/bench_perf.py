"""The performance table of issue 14: kiln against Packer 1.6.6 (Debian's), side by side in one run.

Scenarios: ``build`` and ``validate`` of N null sources (N = 1, 4, 16, 64), each with one shell-local
provisioner (``inline = ["true"]``) and a manifest post-processor; ``validate`` of N = 16 with a cold
describe cache; ``validate`` of a generated 4,763-line template (bench_validate.big_template); and
``version``. The tools run interleaved (packer, kiln, [kiln before], packer, kiln, ...) so that the load of
the shared machine falls on all of them alike; every figure is printed with its ratio to Packer's.

Per scenario and tool: wall time and CPU time (user + system of the whole tree, from ``wait4``) as the
median of ``--runs`` unsampled runs; the peak memory of the whole process tree (sum of PSS, sampled from
/proc every 5 ms) and of the largest process (``ru_maxrss``) from one more, sampled run; the processes
started (successful ``execve`` calls, ``strace -f``) from one more run. Then kiln's time is broken down.

    .venv/bin/python bench/bench_perf.py [--runs 3] [--sizes 1,4,16,64] [--kiln-before PATH]
    QUICK=1 make bench     (one run per figure, N = 1 and 16)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench_build import KILN, PACKER, PYTHON, _children, _env, _status, scale_template
from bench_validate import big_template

BIG_LINES = 5000  # big_template(5000) is 4,763 lines long


@dataclass
class Figures:
    wall: float = float("nan")
    cpu: float = float("nan")
    tree_kb: int = 0
    max_kb: int = 0
    processes: int | None = None
    failure: str = ""


def run_once(argv: Sequence[str], cwd: Path, env: dict[str, str], sample: bool) -> tuple[float, float, int, int, int,
                                                                                           str]:
    """(wall s, CPU s of the tree, peak tree PSS kB, largest process kB, exit code, output) of one run."""
    with open(cwd / "output.txt", "w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        peak = [0]
        done = threading.Event()

        def sampler() -> None:
            while not done.is_set():
                pids, total = [proc.pid], 0
                while pids:
                    pid = pids.pop()
                    status = _status(pid)
                    if status is not None:
                        total += status[0]
                    pids += _children(pid)
                peak[0] = max(peak[0], total)
                done.wait(0.005)

        thread = threading.Thread(target=sampler, daemon=True)
        if sample:
            thread.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        if sample:
            thread.join()
    code = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, peak[0], usage.ru_maxrss, code, (cwd / "output.txt").read_text(
        errors="replace")


def count_execs(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> int | None:
    if not shutil.which("strace"):
        return None
    trace = cwd / "strace.txt"
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve", "-o", str(trace), *argv], cwd=cwd, env=env,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not trace.exists():
        return None
    # a call interrupted by another thread's is printed in two lines ("execve(... <unfinished ...>", then
    # "<... execve resumed>...) = 0"): count the line that carries the result
    return sum(1 for ln in trace.read_text(errors="replace").splitlines()
               if ("execve(" in ln or "execve resumed" in ln) and ln.rstrip().endswith("= 0"))


@dataclass
class Tool:
    label: str
    argv0: list[str]
    env: dict[str, str]
    cache: Path | None = None  # kiln's XDG_CACHE_HOME


def measure_row(tools: Sequence[Tool], args: list[str], cwd: Path, runs: int, ok: Callable[[str], bool],
                cold: bool = False) -> dict[str, Figures]:
    """Every tool on ``args``, interleaved; ``cold`` empties kiln's cache before each of its runs."""
    figures = {t.label: Figures() for t in tools}
    walls: dict[str, list[float]] = {t.label: [] for t in tools}
    cpus: dict[str, list[float]] = {t.label: [] for t in tools}

    def one(tool: Tool, sample: bool) -> tuple[float, float, int, int] | None:
        (cwd / "manifest.json").unlink(missing_ok=True)
        if cold and tool.cache is not None:
            shutil.rmtree(tool.cache, ignore_errors=True)
        wall, cpu, tree, biggest, code, output = run_once([*tool.argv0, *args], cwd, tool.env, sample)
        if code != 0 or not ok(output):
            lines = output.strip().splitlines()
            said = [ln for ln in lines if "rror" in ln][:2] or lines[-2:]
            figures[tool.label].failure = f"exit {code}: " + " / ".join(said)[:200]
            return None
        return wall, cpu, tree, biggest

    for _ in range(runs):
        for tool in tools:
            if figures[tool.label].failure:
                continue
            got = one(tool, False)
            if got:
                walls[tool.label].append(got[0])
                cpus[tool.label].append(got[1])
    for tool in tools:
        f = figures[tool.label]
        if f.failure:
            continue
        f.wall, f.cpu = statistics.median(walls[tool.label]), statistics.median(cpus[tool.label])
        got = one(tool, True)
        if got:
            f.tree_kb, f.max_kb = got[2], got[3]
        if cold and tool.cache is not None:
            shutil.rmtree(tool.cache, ignore_errors=True)
        f.processes = count_execs([*tool.argv0, *args], cwd, tool.env)
    return figures


HEADER = (f"{'scenario':<22}{'tool':<15}{'wall':>8}{'ratio':>7}{'CPU':>8}{'ratio':>7}{'tree MB':>9}{'ratio':>7}"
          f"{'max MB':>8}{'ratio':>7}{'procs':>7}")


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:6.2f}x" if theirs and theirs == theirs and ours == ours else f"{'-':>7}"


def print_row(name: str, figures: dict[str, Figures]) -> None:
    base = figures.get("packer 1.6.6", Figures())
    for label, f in figures.items():
        if f.failure:
            print(f"{name:<22}{label:<15}failed: {f.failure}")
            continue
        procs = f"{f.processes:>7}" if f.processes is not None else f"{'n/a':>7}"
        print(f"{name:<22}{label:<15}{f.wall:7.2f}s{_ratio(f.wall, base.wall)}{f.cpu:7.2f}s{_ratio(f.cpu, base.cpu)}"
              f"{f.tree_kb / 1024:9.1f}{_ratio(f.tree_kb, base.tree_kb)}{f.max_kb / 1024:8.1f}"
              f"{_ratio(f.max_kb, base.max_kb)}{procs}")
        name = ""
    sys.stdout.flush()


def breakdown(kiln: Tool, cwd: Path, template: str, runs: int) -> None:
    """Where kiln's time goes in one build: interpreter, imports, and the run's own timing log lines."""
    print(f"\nkiln's time, build of {template} (medians of {runs}):")

    def median_wall(argv: Sequence[str], env: dict[str, str]) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    python = median_wall([str(PYTHON), "-S", "-c", "pass"], kiln.env)
    site = median_wall([str(PYTHON), "-c", "pass"], kiln.env)
    print(f"  {'python start-up (-S / with site)':<48}{python * 1000:7.0f} / {site * 1000:.0f} ms")
    proc = subprocess.run([str(PYTHON), "-X", "importtime", "-c", "import kiln.cli.main, kiln.cli.build, "
                           "kiln.engine.session, kiln_sdk.host"], env=kiln.env, capture_output=True, text=True)
    by_package: dict[str, int] = {}
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if m:
            by_package[m[2].split(".")[0]] = by_package.get(m[2].split(".")[0], 0) + int(m[1])
    top = sorted(by_package.items(), key=lambda kv: -kv[1])[:6]
    print(f"  {'imports of the build path (-X importtime)':<48}{sum(by_package.values()) / 1000:7.0f} ms  ("
          + ", ".join(f"{k} {v / 1000:.0f}" for k, v in top) + ")")
    for verb in (["version"], ["fmt", "-check", template], ["validate", "-syntax-only", template],
                 ["validate", template]):
        code = (f"import sys; from kiln.cli.main import main; sys.argv = ['kiln', *{verb!r}]\n"
                "try:\n    main()\nexcept SystemExit:\n    pass\n"
                "heavy = sorted(m for m in ('grpc', 'boto3', 'botocore', 'google.protobuf') if m in sys.modules)\n"
                "print('HEAVY', ' '.join(heavy) or '-')")
        out = subprocess.run([str(PYTHON), "-c", code], cwd=cwd, env=kiln.env, capture_output=True, text=True).stdout
        heavy = next((ln[6:] for ln in out.splitlines() if ln.startswith("HEAVY ")), "?")
        print(f"  {'heavy modules imported by kiln ' + verb[0] + (' -syntax-only' if '-syntax-only' in verb else ''):<48}"
              f"{heavy}")
    logs: dict[str, list[float]] = {}
    for _ in range(runs):
        log = cwd / "kiln.log"
        log.unlink(missing_ok=True)
        (cwd / "manifest.json").unlink(missing_ok=True)
        subprocess.run([*kiln.argv0, "build", "-color=false", template], cwd=cwd, capture_output=True,
                       env={**kiln.env, "KILN_LOG": "1", "KILN_LOG_PATH": str(log)})
        for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
            m = re.search(r"timing: (.*?) in ([\d.]+)s", line)
            if m:
                logs.setdefault(re.sub(r"\d+", "N", m[1]), []).append(float(m[2]))
    for label, values in logs.items():
        print(f"  {label:<48}{statistics.median(values) * 1000:7.0f} ms")
    if not logs:
        print("  (no timing lines in KILN_LOG)")


def main(argv: Sequence[str] | None = None) -> int:
    quick = os.environ.get("QUICK", "") not in ("", "0")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1 if quick else 3)
    parser.add_argument("--sizes", default="1,16" if quick else "1,4,16,64")
    parser.add_argument("--before-pythonpath", default="", help="PYTHONPATH of another kiln checkout (its core, "
                        "sdk and plugins folders), measured alongside as 'kiln before'")
    parser.add_argument("--kiln-pythonpath", default="", help="PYTHONPATH of the kiln checkout measured as 'kiln' "
                        "(default: the installed kiln), so a run can measure a fixed commit")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for kiln (e.g. KILN_PLUGIN_STANDBY=0)")
    parser.add_argument("--also-no-standby", action="store_true",
                        help="also measure this kiln with KILN_PLUGIN_STANDBY=0 (no bundled plugin started early)")
    args = parser.parse_args(argv)
    if not Path(PACKER).exists():
        print(f"packer not found ({PACKER}): run `make deps`")
        return 1
    extra = dict(e.split("=", 1) for e in args.env)
    with tempfile.TemporaryDirectory(prefix="kiln-perf-") as tmp:
        work = Path(tmp)
        # kiln runs with its bytecode cached, as an installed kiln does (pip compiles it): the session's
        # PYTHONDONTWRITEBYTECODE would make every run compile ~300 modules (about 0.3 s) again
        base = {k: v for k, v in _env(work).items() if k != "PYTHONDONTWRITEBYTECODE"}
        tools = [Tool("packer 1.6.6", [PACKER], base)]
        kilns: list[tuple[str, list[str], dict[str, str]]] = [
            ("kiln", [str(PYTHON), "-m", "kiln"], {"PYTHONPATH": args.kiln_pythonpath}) if args.kiln_pythonpath
            else ("kiln", [str(KILN)], {})]
        if args.before_pythonpath:
            kilns.append(("kiln before", [str(PYTHON), "-m", "kiln"], {"PYTHONPATH": args.before_pythonpath}))
        if args.also_no_standby:
            kilns.append(("kiln standby=0", kilns[0][1], {**kilns[0][2], "KILN_PLUGIN_STANDBY": "0"}))
        for label, argv0, own in kilns:
            cache = work / f"cache-{label.replace(' ', '-')}"
            tools.append(Tool(label, argv0, {**base, "XDG_CACHE_HOME": str(cache), **own, **extra}, cache))
        load = os.getloadavg()
        print(f"kiln vs Packer 1.6.6, interleaved, medians of {args.runs}; load average at start "
              f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs (a shared machine)")
        print(HEADER)
        sizes = [int(n) for n in args.sizes.split(",") if n.strip()]
        finished = lambda out: "Builds finished" in out  # noqa: E731
        anything = lambda out: True  # noqa: E731
        for n in sizes:
            (work / f"n{n}.pkr.hcl").write_text(scale_template(n))
        (work / "big.pkr.hcl").write_text(big_template(BIG_LINES))
        measure_row(tools, ["version"], work, 1, anything)  # warm-up: page cache, .pyc files, describe cache
        measure_row(tools, ["validate", f"n{sizes[0]}.pkr.hcl"], work, 1, anything)
        print_row("version", measure_row(tools, ["version"], work, args.runs, anything))
        for n in sizes:
            print_row(f"build N={n}", measure_row(tools, ["build", "-color=false", f"n{n}.pkr.hcl"], work,
                                                  args.runs, finished))
        for n in sizes:
            print_row(f"validate N={n}", measure_row(tools, ["validate", f"n{n}.pkr.hcl"], work, args.runs,
                                                     anything))
        cold_n = 16 if 16 in sizes else sizes[-1]
        print_row(f"validate N={cold_n} cold", measure_row(tools, ["validate", f"n{cold_n}.pkr.hcl"], work,
                                                             args.runs, anything, cold=True))
        lines = (work / "big.pkr.hcl").read_text().count("\n")
        print_row(f"validate {lines} lines", measure_row(tools, ["validate", "big.pkr.hcl"], work, args.runs,
                                                           anything))
        load = os.getloadavg()
        print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        for tool in tools[1:2]:
            breakdown(tool, work, f"n{cold_n}.pkr.hcl", args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
