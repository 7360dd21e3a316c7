"""Terraform's process model through the real CLI: one process per plugin executable per run, serving
every component instance; what a plugin prints, raises or lacks reaches the user as it should."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

from tests.e2e.cli import KILN, run_kiln, run_packer

FAKE = Path(__file__).parent.parent / "sdk" / "fakes" / "fake_plugin.py"


def sixteen_sources() -> str:
    blocks = "".join(f'source "null" "s{i}" {{\n  communicator = "none"\n}}\n' for i in range(16))
    names = ", ".join(f'"source.null.s{i}"' for i in range(16))
    return (blocks + f"build {{\n  sources = [{names}]\n"
            + '  provisioner "shell-local" {\n    inline = ["true"]\n  }\n'
            + '  post-processor "manifest" {\n    output = "manifest.json"\n  }\n}\n')


def _descendants(root: int) -> list[tuple[int, int]]:
    """(pid, parent pid) of every descendant of ``root``."""
    found: list[tuple[int, int]] = []
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids = [int(c) for c in f.read().split()]
            except OSError:
                continue
            found += [(kid, pid) for kid in kids]
            todo += kids
    return found


def _cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def run_counting_processes(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, dict[int, list[str]]]:
    """Run ``argv``; every process it started itself (its children, seen in /proc, polled until it exits),
    by pid. (Grandchildren are left out: a plugin's child between fork and exec shows the plugin's
    command line.)"""
    seen: dict[int, list[str]] = {}
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            for pid, parent in _descendants(proc.pid):
                if parent == proc.pid:  # read again each time: before its exec, a child shows kiln's
                    seen[pid] = _cmdline(pid) or seen.get(pid, [])
            done.wait(0.002)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    out, _ = proc.communicate(timeout=300)
    done.set()
    poller.join()
    return proc.returncode, out, seen


def _manifest(path: Path, racy: bool = False) -> list[dict[str, object]]:
    """The manifest's builds. ``racy``: Packer 1.6.6's parallel manifest writers rewrite the file without
    truncating it, so a shorter document can be followed by the tail of a longer one: take the first."""
    text = path.read_text()
    builds = (json.JSONDecoder().raw_decode(text)[0] if racy else json.loads(text))["builds"]
    return sorted(({k: v for k, v in b.items() if k not in ("build_time", "packer_run_uuid")} for b in builds),
                  key=lambda b: str(b["name"]))


def test_sixteen_builds_start_one_plugin_process_and_write_packers_manifest(tmp_path: Path, packer: str) -> None:
    kiln_dir, packer_dir = tmp_path / "kiln", tmp_path / "packer"
    for d in (kiln_dir, packer_dir):
        d.mkdir()
        (d / "t.pkr.hcl").write_text(sixteen_sources())
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    warm = run_kiln(["validate", "t.pkr.hcl"], kiln_dir, env=env)  # fills the describe cache
    assert warm.code == 0, warm.out + warm.err
    code, out, seen = run_counting_processes([*KILN, "build", "-color=false", "t.pkr.hcl"], kiln_dir, env)
    assert code == 0, out
    assert out.count("Build 'null.s") == 16 and "errored" not in out
    pythons = {pid: argv for pid, argv in seen.items() if argv and "python" in os.path.basename(argv[0])}
    plugin_processes = {pid: argv for pid, argv in pythons.items() if "kiln_plugins" in argv}
    # the bundled plugin's one process served 16 builders, 16 shell-locals and 16 manifests
    assert len(plugin_processes) == 1, plugin_processes
    assert list(plugin_processes.values())[0][-1] == "serve"
    assert len(pythons) == 1, pythons  # and kiln started no other Python process

    oracle = run_packer(["build", "-color=false", "t.pkr.hcl"], packer_dir)
    assert oracle.code == 0, oracle.out
    ours, theirs = _manifest(kiln_dir / "manifest.json"), _manifest(packer_dir / "manifest.json", racy=True)
    assert [b["name"] for b in ours] == sorted(f"s{i}" for i in range(16))
    # Packer 1.6.6's parallel manifest writers lose entries (a known race): each one it kept is ours
    assert theirs and all(entry in ours for entry in theirs), (theirs, ours)
    keys = {tuple(b) for b in json.loads((kiln_dir / "manifest.json").read_text())["builds"]}
    # the same racy file: read only its first document (a plain json.loads fails on the tail it leaves)
    racy_doc = json.JSONDecoder().raw_decode((packer_dir / "manifest.json").read_text())[0]
    assert keys == {tuple(b) for b in racy_doc["builds"]}


def fake_plugin(tmp_path: Path, extra_env: str = "") -> dict[str, str]:
    d = tmp_path / "plugins"
    d.mkdir(exist_ok=True)
    exe = d / "kiln-plugin-misbehave"
    exe.write_text(f"#!/bin/sh\n{extra_env} exec {sys.executable} {FAKE} \"$@\"\n")
    exe.chmod(0o755)
    return {"KILN_PLUGIN_PATH": str(d), "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_unhandled_plugin_exception_names_component_type_and_message(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text(
        'source "misbehave-fake" "a" {\n  path = "x"\n  raise_key = true\n}\n'
        'build {\n  sources = ["source.misbehave-fake.a"]\n}\n')
    log = tmp_path / "kiln.log"
    r = run_kiln(["build", "-color=false", "t.pkr.hcl"], tmp_path,
                 env={**fake_plugin(tmp_path), "KILN_LOG": "1", "KILN_LOG_PATH": str(log)})
    assert r.code == 1
    assert "Error: misbehave-fake: KeyError: 'missing'" in r.out
    assert "on t.pkr.hcl line 1" in r.out
    assert "Traceback" not in r.out + r.err
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "KeyError: 'missing'" in text


def test_a_plugin_flooding_stdout_does_not_hang_kiln_and_its_output_is_logged(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text(
        'source "misbehave-fake" "a" {\n  path = "x"\n  flood_mb = 4\n}\n'
        'build {\n  sources = ["source.misbehave-fake.a"]\n}\n')
    log = tmp_path / "kiln.log"
    r = run_kiln(["build", "-color=false", "t.pkr.hcl"], tmp_path,
                 env={**fake_plugin(tmp_path), "KILN_LOG": "1", "KILN_LOG_PATH": str(log)})
    assert r.code == 0, r.out
    assert "flood line" not in r.out  # stdout after the handshake is the log's, not the user's
    assert "stdout: flood done" in log.read_text()


def test_a_plugin_lacking_a_capability_works_with_one_process_per_instance(tmp_path: Path) -> None:
    # a plugin built against an SDK whose processes serve one instance each (no "instances" capability)
    (tmp_path / "t.pkr.hcl").write_text(
        'source "misbehave-fake" "a" {\n  path = "a.txt"\n}\nsource "misbehave-fake" "b" {\n  path = "b.txt"\n}\n'
        'build {\n  sources = ["source.misbehave-fake.a", "source.misbehave-fake.b"]\n}\n')
    log = tmp_path / "kiln.log"
    r = run_kiln(["build", "-color=false", "t.pkr.hcl"], tmp_path,
                 env={**fake_plugin(tmp_path, "KILN_SDK_CAPABILITIES="), "KILN_LOG": "1", "KILN_LOG_PATH": str(log)})
    assert r.code == 0, r.out
    assert (tmp_path / "a.txt").read_text() == (tmp_path / "b.txt").read_text() == "hello"
    started = re.findall(r"started the plugin kiln-plugin-misbehave as pid (\d+) \(protocol 1.0, capabilities: \)",
                         log.read_text())
    assert len(set(started)) == 2, log.read_text()[-3000:]


def test_a_plugin_of_another_major_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "t.pkr.hcl").write_text(
        'source "misbehave-fake" "a" {\n  path = "x"\n}\nbuild {\n  sources = ["source.misbehave-fake.a"]\n}\n')
    r = run_kiln(["build", "-color=false", "t.pkr.hcl"], tmp_path,
                 env=fake_plugin(tmp_path, "FAKE_PLUGIN_SCENARIO=old-protocol"))
    assert r.code == 1
    assert ("plugin kiln-plugin-misbehave: speaks plugin protocol v99, this kiln speaks v1: install a version of "
            "the plugin built for protocol v1 (or a kiln that speaks v99)") in " ".join(r.out.split())
