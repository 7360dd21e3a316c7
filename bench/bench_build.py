"""``kiln build`` against ``packer build`` (Debian's 1.6.6) on the same null-builder template.

Both run the same template several times, interleaved, after one warm-up run each. For every run:
wall time (from a run without the sampler), the peak memory of the whole process tree (the sum of the
proportional set sizes of the core and all its plugin processes, sampled from /proc in a second run),
the largest single process (``ru_maxrss`` from ``wait4``, which covers every process of the tree) and
the peak RSS of each process. Then kiln's start-up is broken into phases.

    .venv/bin/python bench/bench_build.py [--runs 5] [--sources 3]

Exit status: 0 when both were measured, 2 when kiln could not be measured (the table still shows
Packer, and the reason is printed), 1 when Packer itself failed.
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
KILN = VENV_BIN / "kiln"
PYTHON = VENV_BIN / "python"
PACKER = shutil.which("packer") or "/usr/bin/packer"
SAMPLE_SECONDS = 0.005


def template(sources: int) -> str:
    blocks = "".join(f'source "null" "s{i}" {{\n  communicator = "none"\n}}\n' for i in range(sources))
    names = ", ".join(f'"source.null.s{i}"' for i in range(sources))
    return (
        blocks
        + f"build {{\n  sources = [{names}]\n"
        + '  provisioner "shell-local" {\n    inline = ["echo hello from ${source.name}"]\n  }\n'
        + '  post-processor "manifest" {\n    output = "manifest.json"\n  }\n}\n'
    )


# -- one measured run ---------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found: list[int] = []
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return found


def _status(pid: int) -> tuple[int, int, str] | None:
    """(current PSS kB, peak RSS kB, name) of a live process, or None.

    The tree's total uses PSS (proportional set size): shared pages (the same executable mapped by
    every plugin process, shared libraries) count once across the tree instead of once per process.
    """
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except (OSError, ValueError):
        return None
    current = int(fields.get("VmRSS", "0 kB").split()[0])
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            pss = next((line for line in f if line.startswith("Pss:")), "")
        current = int(pss.split()[1]) if pss else current
    except (OSError, IndexError, ValueError):
        pass
    hwm = int(fields.get("VmHWM", "0 kB").split()[0])
    return current, hwm, _process_label([a.decode(errors="replace") for a in argv if a])


def _process_label(argv: list[str]) -> str:
    if not argv:
        return "?"
    name = Path(argv[0]).name
    if name.startswith("python") and len(argv) > 2 and argv[1] == "-m":  # python -m package ARGS
        name, argv = argv[2], argv[2:]
    elif name.startswith("python") and len(argv) > 1:  # console scripts run as "python .venv/bin/kiln"
        name, argv = Path(argv[1]).name, argv[1:]
    if name == "packer" and len(argv) > 2 and argv[1] == "plugin":
        return f"packer plugin {argv[2]}"
    if "plugin" in name and len(argv) > 3 and argv[1] == "start":
        return f"{name} ({argv[2]} {argv[3]})"
    return name


@dataclass
class Run:
    seconds: float
    returncode: int
    tree_peak_kb: int
    max_process_kb: int
    max_processes: int
    per_process_kb: dict[str, int] = field(default_factory=dict)
    output: str = ""


def measure(argv: Sequence[str], cwd: Path, env: dict[str, str], sample: bool = True) -> Run:
    """Run ``argv`` to completion, sampling its process tree's memory (when ``sample``) until it exits."""
    out_path = cwd / "output.txt"
    with open(out_path, "w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        peak = {"tree": 0, "count": 0}
        per_process: dict[str, int] = {}
        done = threading.Event()

        def sample_tree() -> None:
            while not done.is_set():
                pids, total = [proc.pid], 0
                seen = 0
                while pids:
                    pid = pids.pop()
                    status = _status(pid)
                    if status is None:
                        continue
                    rss, hwm, label = status
                    total += rss
                    seen += 1
                    if label != "?":  # a process caught between fork and exec, or already gone
                        per_process[label] = max(per_process.get(label, 0), hwm)
                    pids += _children(pid)
                peak["tree"] = max(peak["tree"], total)
                peak["count"] = max(peak["count"], seen)
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample_tree, daemon=True)
        if sample:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        if sample:
            sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        seconds,
        proc.returncode,
        peak["tree"],
        usage.ru_maxrss,
        peak["count"],
        per_process,
        out_path.read_text(errors="replace"),
    )


# -- the comparison -----------------------------------------------------------------------------------


@dataclass
class Series:
    name: str
    runs: list[Run] = field(default_factory=list)
    failure: str = ""

    @property
    def wall(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def tree_kb(self) -> int:
        return max(r.tree_peak_kb for r in self.runs)

    @property
    def process_kb(self) -> int:
        return max(r.max_process_kb for r in self.runs)

    def per_process(self) -> dict[str, int]:
        merged: dict[str, int] = {}
        for run in self.runs:
            for label, kb in run.per_process_kb.items():
                merged[label] = max(merged.get(label, 0), kb)
        return merged


def _env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PACKER_LOG", "KILN_LOG"))}
    env.update({"CHECKPOINT_DISABLE": "1", "PACKER_CACHE_DIR": str(workdir / "packer_cache")})
    return env


def compare(runs: int, sources: int, workdir: Path) -> tuple[Series, Series]:
    (workdir / "template.pkr.hcl").write_text(template(sources))
    commands = {
        "packer": [PACKER, "build", "-color=false", "template.pkr.hcl"],
        "kiln": [str(KILN), "build", "-color=false", "template.pkr.hcl"],
    }
    series = {name: Series(name) for name in commands}
    if not KILN.exists():
        series["kiln"].failure = f"{KILN} does not exist: run `make install` first"
    env = _env(workdir)
    for index in range(runs + 1):  # run 0 is a warm-up (page cache, .pyc files), not counted
        for name, argv in commands.items():
            s = series[name]
            if s.failure:
                continue
            # Wall time comes from a run without the memory sampler (whose /proc reads cost CPU time),
            # memory from a second, sampled run.
            timed, sampled = (_one(argv, workdir, env, sample) for sample in (False, True))
            failed = next(
                (r for r in (timed, sampled) if r.returncode != 0 or "Builds finished" not in r.output), None
            )
            if failed is not None:
                tail = "\n".join(failed.output.strip().splitlines()[-8:])
                s.failure = f"`{' '.join(argv)}` exited {failed.returncode}:\n{tail}"
            elif index > 0:
                sampled.seconds = timed.seconds
                s.runs.append(sampled)
    return series["packer"], series["kiln"]


def _one(argv: Sequence[str], workdir: Path, env: dict[str, str], sample: bool) -> Run:
    (workdir / "manifest.json").unlink(missing_ok=True)
    return measure(argv, workdir, env, sample)


def _mb(kb: int) -> str:
    return f"{kb / 1024:.1f} MB"


def print_table(packer: Series, kiln: Series, runs: int, sources: int) -> None:
    print(
        f"\nkiln build vs packer build: null builder, {sources} sources in parallel, shell-local + manifest,"
        f" median of {runs} runs (after a warm-up)\n"
    )
    header = f"{'':<8}{'wall (median)':>15}{'min':>9}{'max':>9}{'tree peak PSS':>16}{'largest process':>17}{'procs':>7}"
    print(header)
    for s in (packer, kiln):
        if not s.runs:
            print(f"{s.name:<8}{'not measured':>15}")
            continue
        times = [r.seconds for r in s.runs]
        procs = max(r.max_processes for r in s.runs)
        print(
            f"{s.name:<8}{s.wall * 1000:>12.0f} ms{min(times) * 1000:>6.0f} ms{max(times) * 1000:>6.0f} ms"
            f"{_mb(s.tree_kb):>16}{_mb(s.process_kb):>17}{procs:>7}"
        )
    if packer.runs and kiln.runs:
        print(
            f"\nratio kiln/packer: wall {kiln.wall / packer.wall:.2f}x, tree peak memory "
            f"{kiln.tree_kb / packer.tree_kb:.2f}x, largest process {kiln.process_kb / packer.process_kb:.2f}x"
        )
    for s in (packer, kiln):
        if s.runs:
            print(f"\npeak RSS per process ({s.name}):")
            for label, kb in sorted(s.per_process().items(), key=lambda item: -item[1]):
                print(f"  {_mb(kb):>9}  {label}")


# -- kiln's phases ------------------------------------------------------------------------------------


def _median_wall(argv: Sequence[str], cwd: Path, env: dict[str, str], runs: int) -> tuple[float, str]:
    """Median wall time of ``argv`` over ``runs`` runs, or NaN and the last line it printed when it fails."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True
        )
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            said = (proc.stderr + proc.stdout).strip().splitlines()
            return float("nan"), said[-1] if said else f"exit {proc.returncode}"
    return statistics.median(times), ""


def import_profile(
    env: dict[str, str], modules: Sequence[str]
) -> tuple[float, list[tuple[float, str]], list[tuple[float, str]]]:
    """Total import time of ``modules`` (s), self time per top-level package, and the slowest modules."""
    code = f"import importlib\nfor m in {list(modules)!r}:\n    importlib.import_module(m)\n"
    proc = subprocess.run(
        [str(PYTHON), "-X", "importtime", "-c", code], env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1])
    by_package: dict[str, int] = {}
    by_module: list[tuple[float, str]] = []
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            package = match[2].split(".")[0]
            by_package[package] = by_package.get(package, 0) + int(match[1])
            by_module.append((int(match[1]) / 1e6, match[2]))
    total = sum(by_package.values()) / 1e6
    packages = sorted(((us / 1e6, name) for name, us in by_package.items()), reverse=True)
    return total, packages[:8], sorted(by_module, reverse=True)[:8]


def plugin_handshake(env: dict[str, str], runs: int) -> float:
    """Median seconds from starting the bundled plugin (null builder) to its handshake line."""
    sys.path[:0] = [str(ROOT / "sdk")]
    from kiln_sdk.host import MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE

    plugin = VENV_BIN / "kiln-plugin-bundled"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(plugin), "serve"],
            env={**env, MAGIC_COOKIE_KEY: MAGIC_COOKIE_VALUE},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None and proc.stdin is not None
        line = proc.stdout.readline()
        times.append(time.perf_counter() - start)
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if "|grpc" not in line:
            raise RuntimeError(f"no handshake line from {plugin}: {line!r}")
    return statistics.median(times)


def timeline(argv: Sequence[str], cwd: Path, env: dict[str, str], runs: int) -> dict[str, float] | None:
    """Median seconds from the start of a build to its first output line, its closing summary, and its exit."""
    marks: dict[str, list[float]] = {"first line": [], "closing summary": [], "exit": []}
    for _ in range(runs):
        (cwd / "manifest.json").unlink(missing_ok=True)
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        first = summary = None
        for line in proc.stdout:
            now = time.perf_counter() - start
            first = now if first is None else first
            if "==> Wait completed" in line:
                summary = now
        if proc.wait() != 0 or first is None or summary is None:
            return None
        marks["first line"].append(first)
        marks["closing summary"].append(summary)
        marks["exit"].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in marks.items()}


def print_phases(workdir: Path, runs: int, build_wall: float | None) -> None:
    env = _env(workdir)
    print(f"\nkiln phases (median of {runs}, each a separate process unless noted):")
    steps = [
        ("python start-up (python -c pass)", [str(PYTHON), "-c", "pass"]),
        ("kiln version (start-up + CLI)", [str(KILN), "version"]),
        (
            "kiln validate -syntax-only (+ template parse)",
            [str(KILN), "validate", "-syntax-only", "template.pkr.hcl"],
        ),
        ("kiln validate (+ plugin start, schema, decode)", [str(KILN), "validate", "template.pkr.hcl"]),
    ]
    for label, argv in steps:
        seconds, detail = _median_wall(argv, workdir, env, runs)
        shown = f"{seconds * 1000:8.0f} ms" if seconds == seconds else f"   failed: {detail}"
        print(f"  {label:<50}{shown}")
    if build_wall is not None:
        print(f"  {'kiln build (everything)':<50}{build_wall * 1000:8.0f} ms")
    try:
        print(
            f"  {'plugin start to handshake (bundled null builder)':<50}{plugin_handshake(env, runs) * 1000:8.0f} ms"
        )
    except (OSError, RuntimeError, ImportError) as exc:
        print(f"  plugin start to handshake: not measured ({exc})")
    try:
        total, packages, slowest = import_profile(
            env, ["kiln.cli.main", "kiln.engine.session", "kiln.template", "kiln.ui"]
        )
        print(f"\n  imports of the build path (one process, -X importtime): {total * 1000:.0f} ms")
        print("    self time by package:     " + ", ".join(f"{n} {t * 1000:.0f} ms" for t, n in packages))
        print("    slowest modules (self):   " + ", ".join(f"{n} {t * 1000:.1f} ms" for t, n in slowest))
    except RuntimeError as exc:
        print(f"  imports: not measured ({exc})")
    for name, argv in (("kiln", [str(KILN)]), ("packer", [PACKER])):
        marks = timeline([*argv, "build", "-color=false", "template.pkr.hcl"], workdir, env, runs)
        shown = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in marks.items()) if marks else "failed"
        print(f"  {name + ' build timeline (from start)':<40}{shown}")
    log = workdir / "kiln.log"
    proc = subprocess.run(
        [str(KILN), "build", "-color=false", "-force", "template.pkr.hcl"],
        cwd=workdir,
        env={**env, "KILN_LOG": "1", "KILN_LOG_PATH": str(log)},
        capture_output=True,
        text=True,
    )
    lines = [ln for ln in log.read_text().splitlines() if "timing:" in ln] if log.exists() else []
    if lines:
        print("\n  KILN_LOG timing lines of one build:")
        for line in lines:
            print("    " + line.split("] ", 1)[-1])
    else:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
        print(f"\n  KILN_LOG timing lines: none (kiln build exited {proc.returncode}): " + " / ".join(tail))


# -- the process model: builds of N sources, processes started ------------------------------------


def scale_template(sources: int) -> str:
    """N null sources, each with one shell-local ``inline = ["true"]`` and a manifest post-processor."""
    blocks = "".join(f'source "null" "s{i}" {{\n  communicator = "none"\n}}\n' for i in range(sources))
    names = ", ".join(f'"source.null.s{i}"' for i in range(sources))
    return (
        blocks
        + f"build {{\n  sources = [{names}]\n"
        + '  provisioner "shell-local" {\n    inline = ["true"]\n  }\n'
        + '  post-processor "manifest" {\n    output = "manifest.json"\n  }\n}\n'
    )


def count_processes(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> tuple[int, int, int] | None:
    """(programs executed, Python interpreters among them, plugin processes) in one run, counted with
    ``strace -f -e trace=execve`` (every successful exec of the whole tree), or None without strace."""
    strace = shutil.which("strace")
    if strace is None:
        return None
    trace = cwd / "strace.out"
    (cwd / "manifest.json").unlink(missing_ok=True)
    proc = subprocess.run([strace, "-f", "-qq", "-e", "trace=execve", "-e", "signal=none", "-o", str(trace),
                           *argv], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True)
    if proc.returncode != 0:
        return None
    execs = [ln for ln in trace.read_text(errors="replace").splitlines() if "execve(" in ln and "= 0" in ln]
    pythons = [ln for ln in execs if re.search(r'execve\("[^"]*python[^"]*"', ln)]
    plugins = [ln for ln in execs if re.search(r'"(start|standby|describe|serve)"', ln) or "packer-plugin" in ln
               or re.search(r'"plugin", "', ln)]
    return len(execs), len(pythons), len(plugins)


def scale_table(sizes: Sequence[int], runs: int, workdir: Path, variants: Sequence[tuple[str, str, dict[str, str]]]
                ) -> None:
    """Wall time (median of ``runs``, after a warm-up) and processes started, Packer and every kiln
    variant (label, kiln executable, extra environment) in the same run, interleaved."""
    base = _env(workdir)
    print(f"\nkiln build vs packer build, N null sources (shell-local inline=[\"true\"] + manifest), "
          f"median of {runs} after a warm-up; processes counted with strace -f (execve) in one more run")
    print(f"{'N':>4}  {'tool':<26}{'wall':>9}{'/packer':>9}{'execs':>7}{'pythons':>9}{'plugin procs':>14}")
    for n in sizes:
        (workdir / "scale.pkr.hcl").write_text(scale_template(n))
        cmds: dict[str, tuple[list[str], dict[str, str]]] = {
            "packer 1.6.6": ([PACKER, "build", "-color=false", "scale.pkr.hcl"], base)}
        for label, kiln, extra in variants:
            env = {**base, "XDG_CACHE_HOME": str(workdir / f"cache-{label.replace(' ', '_')}"), **extra}
            cmds[label] = ([kiln, "build", "-color=false", "scale.pkr.hcl"], env)
        walls: dict[str, list[float]] = {k: [] for k in cmds}
        failed: dict[str, str] = {}
        for index in range(runs + 1):
            for name, (argv, env) in cmds.items():
                if name in failed:
                    continue
                run = _one(argv, workdir, env, False)
                if run.returncode != 0 or "Builds finished" not in run.output:
                    failed[name] = f"exited {run.returncode}: " + " / ".join(run.output.strip().splitlines()[-3:])
                elif index > 0:
                    walls[name].append(run.seconds)
        packer_wall = statistics.median(walls["packer 1.6.6"]) if walls["packer 1.6.6"] else float("nan")
        for name, (argv, env) in cmds.items():
            if name in failed:
                print(f"{n:>4}  {name:<26}failed: {failed[name][:200]}")
                continue
            wall = statistics.median(walls[name])
            counted = count_processes(argv, workdir, env)
            counts = f"{counted[0]:>7}{counted[1]:>9}{counted[2]:>14}" if counted else f"{'n/a':>7}{'n/a':>9}{'n/a':>14}"
            print(f"{n:>4}  {name:<26}{wall:>7.2f} s{wall / packer_wall:>8.2f}x{counts}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sources", type=int, default=3)
    parser.add_argument("--sizes", default="1,16,64", help="N for the process-model table ('' to skip)")
    parser.add_argument("--scale-runs", type=int, default=3)
    parser.add_argument("--only-scale", action="store_true", help="print only the process-model table")
    parser.add_argument("--kiln-before", default="", help="another kiln executable to measure alongside "
                        "(e.g. main before a change, installed in another checkout)")
    parser.add_argument("--no-standby", action="store_true", help="also measure kiln with KILN_PLUGIN_STANDBY=0")
    args = parser.parse_args(argv)
    if not Path(PACKER).exists():
        print(f"packer not found ({PACKER}): run `make deps` (Debian's packer 1.6.6)")
        return 1
    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as tmp:
        workdir = Path(tmp)
        sizes = [int(n) for n in args.sizes.split(",") if n.strip()]
        variants: list[tuple[str, str, dict[str, str]]] = [("kiln", str(KILN), {})]
        if args.no_standby:
            variants.append(("kiln KILN_PLUGIN_STANDBY=0", str(KILN), {"KILN_PLUGIN_STANDBY": "0"}))
        if args.kiln_before:
            variants.insert(0, ("kiln (before)", args.kiln_before, {}))
        if sizes:
            scale_table(sizes, args.scale_runs, workdir, variants)
        if args.only_scale:
            return 0
        packer, kiln = compare(args.runs, args.sources, workdir)
        print_table(packer, kiln, args.runs, args.sources)
        if packer.failure:
            print(f"\npacker failed: {packer.failure}")
            return 1
        if kiln.failure:
            print(
                f"\nkiln NOT MEASURED: {kiln.failure}\n(the engine may not be ready: re-run `make bench` when it is)"
            )
        print_phases(workdir, args.runs, kiln.wall if kiln.runs else None)
    return 2 if kiln.failure else 0


if __name__ == "__main__":
    sys.exit(main())
