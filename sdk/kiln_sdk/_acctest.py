"""The acceptance harness (like packer-plugin-sdk's acctest), re-exported by ``kiln_sdk.testing``.

    def test_build(tmp_path):
        result = run_acceptance(AcceptanceCase(
            template=TEMPLATE, plugins=["kiln-plugin-hello"],
        ), tmp_path)
        result.assert_success()
        result.assert_output_contains("==> hello-my-builder.example: Hello, world!")
        assert result.artifacts() == {"hello-my-builder.example": ["..."]}

It runs the real ``kiln build`` in ``workdir`` on the template, with only the plugins under test on
``KILN_PLUGIN_PATH`` (and kiln's bundled components), a private describe cache and kiln's log in
``workdir/kiln.log``. After kiln exits it checks the cleanup every build owes: no process of the
plugins under test may be left running (those found are killed and the run fails).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_MARKER = "KILN_ACCTEST_RUN"
_ARTIFACT = re.compile(r"^--> ([^:]+): (.*)$")


class AcceptanceError(AssertionError):
    """An acceptance test failed: kiln's exit, output, artifacts or cleanup were not as expected."""


@dataclass
class AcceptanceCase:
    """One acceptance test: a template to build with the plugins under test.

    ``plugins`` are executables (``kiln-plugin-NAME`` on PATH or beside the running Python, or paths).
    ``files`` are more files to write in the work directory (relative path -> text or bytes), ``args``
    more ``kiln build`` arguments (``-var``, ``-only``, ...), ``env`` more environment. ``check`` runs on
    the result after kiln exits; ``teardown`` runs last, even when kiln or ``check`` failed.
    """

    template: str
    plugins: Sequence[str] = ()
    template_name: str = "template.pkr.hcl"
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    args: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    expect_exit: int = 0
    timeout: float = 600.0
    check: Callable[[AcceptanceResult], None] | None = None
    teardown: Callable[[AcceptanceResult], None] | None = None


@dataclass
class AcceptanceResult:
    """What a ``kiln build`` of an :class:`AcceptanceCase` did."""

    command: list[str]
    workdir: Path
    exit_code: int
    stdout: str
    stderr: str
    log: str
    leftover_processes: list[str] = field(default_factory=list)

    def _fail(self, what: str) -> AcceptanceError:
        return AcceptanceError(
            f"{what}\n--- kiln build exited {self.exit_code} in {self.workdir}\n--- stdout:\n{self.stdout}"
            f"--- stderr:\n{self.stderr}--- log (last 3000 characters):\n{self.log[-3000:]}"
        )

    def assert_success(self) -> None:
        """kiln exited 0."""
        if self.exit_code != 0:
            raise self._fail("kiln build failed")

    def assert_exit(self, code: int) -> None:
        """kiln exited with ``code``."""
        if self.exit_code != code:
            raise self._fail(f"kiln build exited {self.exit_code}, expected {code}")

    def assert_output_contains(self, *texts: str) -> None:
        """Each text appears in kiln's output (stdout and stderr)."""
        missing = [t for t in texts if t not in self.stdout and t not in self.stderr]
        if missing:
            raise self._fail(f"kiln's output lacks {missing!r}")

    def assert_output_lacks(self, *texts: str) -> None:
        """No text appears in kiln's output (e.g. a secret)."""
        found = [t for t in texts if t in self.stdout or t in self.stderr or t in self.log]
        if found:
            raise self._fail(f"kiln's output or log shows {found!r}")

    def assert_files(self, files: Mapping[str, str | None]) -> None:
        """Each path (relative to the work directory) exists with that text, or (None) does not exist."""
        for rel, want in files.items():
            path = self.workdir / rel
            if want is None:
                if path.exists():
                    raise self._fail(f"{rel} should not exist (was it cleaned up?)")
            elif not path.is_file():
                raise self._fail(f"{rel} does not exist")
            elif path.read_text() != want:
                raise self._fail(f"{rel} holds {path.read_text()!r}, expected {want!r}")

    def artifacts(self) -> dict[str, list[str]]:
        """The closing summary: build name -> the string of each artifact it produced, in order."""
        found: dict[str, list[str]] = {}
        for line in self.stdout.splitlines():
            m = _ARTIFACT.match(line)
            if m:
                found.setdefault(m.group(1), []).append(m.group(2))
        return found


def find_executable(name: str) -> str:
    """``name`` as a path, or found beside the running Python (its venv's bin) or on PATH."""
    if os.sep in name:
        if not os.access(name, os.X_OK):
            raise AcceptanceError(f"{name} is not an executable file")
        return os.path.abspath(name)
    search = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    found = shutil.which(name, path=search)
    if found is None:
        raise AcceptanceError(f"{name} was not found beside {sys.executable} nor on PATH: is it installed?")
    return found


def _skip_without_kiln(reason: str) -> None:
    try:
        import pytest
    except ImportError:
        raise AcceptanceError(reason) from None
    pytest.skip(reason)


def run_acceptance(case: AcceptanceCase, workdir: str | os.PathLike[str], kiln: str = "kiln") -> AcceptanceResult:
    """Run ``kiln build`` on ``case`` in ``workdir`` (e.g. pytest's ``tmp_path``); check its exit status
    (``case.expect_exit``), the cleanup, and ``case.check``; raise AcceptanceError on any failure.

    Without kiln installed the test is skipped (under pytest), as Packer's acceptance tests are without
    Packer.
    """
    work = Path(workdir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        kiln_path = find_executable(kiln)
    except AcceptanceError as exc:
        _skip_without_kiln(f"acceptance test needs kiln: {exc}")
        raise
    plugin_dir = work / ".kiln-acc" / "plugins"
    plugin_dir.mkdir(parents=True, exist_ok=True)
    for plugin in case.plugins:
        exe = find_executable(plugin)
        link = plugin_dir / os.path.basename(exe)
        if not link.exists():
            link.symlink_to(exe)
    (work / case.template_name).write_text(case.template)
    for rel, content in case.files.items():
        path = work / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    marker = uuid.uuid4().hex
    log_path = work / "kiln.log"
    env = dict(os.environ)
    env.update({
        "KILN_PLUGIN_PATH": str(plugin_dir),
        "XDG_CACHE_HOME": str(work / ".kiln-acc" / "cache"),
        "XDG_CONFIG_HOME": str(work / ".kiln-acc" / "config"),
        "KILN_LOG": "1",
        "KILN_LOG_PATH": str(log_path),
        _MARKER: marker,
    })
    env.update(case.env)
    command = [kiln_path, "build", "-color=false", *case.args, case.template_name]
    proc = subprocess.Popen(command, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=case.timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        stderr += f"\n[acceptance harness: kiln build did not finish within {case.timeout:g}s; killed]\n"
    result = AcceptanceResult(command, work, proc.returncode, stdout, stderr,
                              log_path.read_text(errors="replace") if log_path.exists() else "")
    try:
        result.leftover_processes = _reap(marker)
        if result.leftover_processes:
            raise result._fail("processes of this build were still running after kiln exited (killed now): "
                               + "; ".join(result.leftover_processes))
        result.assert_exit(case.expect_exit)
        if case.check is not None:
            case.check(result)
    finally:
        if case.teardown is not None:
            case.teardown(result)
    return result


def _processes_with(marker: str) -> dict[int, str]:
    needle = f"{_MARKER}={marker}".encode()
    found: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if needle not in fh.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
            with open(f"/proc/{entry}/stat", "rb") as fh:
                if fh.read().rsplit(b")", 1)[-1].split()[0] == b"Z":
                    continue  # a zombie has exited already
        except OSError:
            continue
        found[int(entry)] = cmdline
    return found


def _reap(marker: str) -> list[str]:
    """Processes started by the build that are still alive a moment after kiln exited; killed."""
    deadline = time.monotonic() + 5.0
    left = _processes_with(marker)
    while left and time.monotonic() < deadline:  # a plugin may still be finishing its exit
        time.sleep(0.1)
        left = _processes_with(marker)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return [f"pid {pid}: {cmdline}" for pid, cmdline in sorted(left.items())]
