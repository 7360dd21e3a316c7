"""``kiln build`` against ``packer build`` (Debian's 1.6.6, docker builder built in) on the same docker
commit build: both drive the same podman through the same ``docker`` wrapper (tests/podman_fixture.py).

The template runs a container from the local busybox base image, a shell and a file provisioner, commits
with two changes and tags the image. Every run is timed (wall clock of the whole CLI); the wrapper logs
each ``docker`` call it receives, so the table also shows how many docker calls each tool made and which.

    .venv/bin/python bench/bench_docker.py [--runs 3]

Exit status: 0 when both were measured, 1 when either failed.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.podman_fixture import ensure_base_image, write_docker_env  # noqa: E402

KILN = str(ROOT / ".venv" / "bin" / "kiln")
PACKER = shutil.which("packer") or "/usr/bin/packer"

TEMPLATE = """
source "docker" "bench" {
  image   = "BASE"
  pull    = false
  commit  = true
  changes = ["ENV BENCH=1", "LABEL bench=yes"]
}
build {
  sources = ["source.docker.bench"]
  provisioner "shell" {
    inline = ["mkdir -p /srv", "echo bench > /srv/bench", "ls /srv"]
  }
  provisioner "file" {
    source      = "payload.txt"
    destination = "/srv/payload.txt"
  }
  post-processor "docker-tag" {
    repository = "REPO"
    tags       = ["bench"]
  }
}
"""


def run_once(tool: str, work: Path, env: dict[str, str]) -> tuple[float, list[str]]:
    log = work / f"calls-{tool}.log"
    log.unlink(missing_ok=True)
    argv = [KILN if tool == "kiln" else PACKER, "build", "-color=false", "t.pkr.hcl"]
    full = {**os.environ, **env, "KILN_DOCKER_CALL_LOG": str(log), "CHECKPOINT_DISABLE": "1",
            "PACKER_TMP_DIR": str(work / ".ptmp")}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        p = subprocess.run(argv, cwd=work, env=full, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        if p.returncode != 0:
            out.seek(0)
            raise RuntimeError(f"{tool} build failed ({p.returncode}):\n{out.read().decode()[-3000:]}")
    calls = log.read_text().splitlines() if log.exists() else []
    return elapsed, calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not os.path.exists(KILN):
        print("kiln is not installed: run `make install`", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="kiln-bench-docker-") as tmp:
        env = write_docker_env(Path(tmp) / "podman")
        base = ensure_base_image(env)
        works = {}
        for tool in ("kiln", "packer"):
            work = Path(tmp) / tool
            work.mkdir()
            (work / "payload.txt").write_text("payload\n" * 100)
            (work / "t.pkr.hcl").write_text(TEMPLATE.replace("BASE", base).replace("REPO", f"localhost/bench-{tool}"))
            works[tool] = work
        times: dict[str, list[float]] = {"kiln": [], "packer": []}
        calls: dict[str, list[str]] = {}
        try:
            for tool in ("kiln", "packer"):  # warm-up (caches, page cache)
                run_once(tool, works[tool], env)
            for _ in range(args.runs):
                for tool in ("kiln", "packer"):
                    elapsed, made = run_once(tool, works[tool], env)
                    times[tool].append(elapsed)
                    calls[tool] = made
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            return 1
        finally:
            for tool in ("kiln", "packer"):
                subprocess.run(["docker", "rmi", "-f", f"localhost/bench-{tool}:bench"], env={**os.environ, **env},
                               capture_output=True)
    print(f"docker commit build (shell + file provisioner, commit, docker-tag), {args.runs} runs each, podman "
          "behind a docker wrapper")
    print(f"{'':8} {'median s':>9} {'min s':>7} {'max s':>7} {'docker calls':>13}")
    for tool in ("kiln", "packer"):
        t = times[tool]
        print(f"{tool:8} {statistics.median(t):9.2f} {min(t):7.2f} {max(t):7.2f} {len(calls[tool]):13d}")
    print(f"ratio kiln/packer (median wall time): {statistics.median(times['kiln']) / statistics.median(times['packer']):.2f}")
    for tool in ("kiln", "packer"):
        kinds = collections.Counter(c.split()[0] if c else "" for c in calls[tool])
        print(f"{tool} docker calls by sub-command: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
