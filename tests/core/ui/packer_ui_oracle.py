"""Run Debian's Packer 1.6.6 live and replay the same Ui calls through kiln's Ui, to compare outputs.

Times and random names differ between two runs of anything, so both outputs are normalised the same way:
durations, RFC3339 timestamps, Unix times and shell-local's temporary script names become placeholders.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kiln.ui import ArtifactSummary, BuildResult, CoreUi, make_ui

_UNIT = r"(?:years?|weeks?|days?|hours?|minutes?|seconds?|milliseconds?|microseconds?)"
_DURATION = re.compile(rf"\b\d+ {_UNIT}(?: \d+ {_UNIT})?")
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)")
_UNIX = re.compile(r"^\d{9,11},", re.M)
_SCRIPT = re.compile(r"/tmp/packer-shell\w+")

SCRIPT = "/tmp/packer-shellN"
NULL_STRING = "Did not export anything. This is the null builder"
NULL_ARTIFACT = ArtifactSummary("fnoeding.null", "Null", NULL_STRING, [])


def packer_path() -> str:
    path = shutil.which("packer")
    assert path, "Debian's packer (1.6.6) is not installed: run `make deps` (apt-get install packer)"
    return path


def run_packer(workdir: Path, template: str, *flags: str, env: dict[str, str] | None = None) -> str:
    """``packer build FLAGS template.pkr.hcl`` in ``workdir``; returns stdout (Packer writes nothing else)."""
    (workdir / "template.pkr.hcl").write_text(template)
    full_env = {k: v for k, v in os.environ.items() if k not in ("PACKER_NO_COLOR", "PACKER_LOG")}
    full_env.update({"CHECKPOINT_DISABLE": "1", "PACKER_CACHE_DIR": str(workdir / "cache")})
    full_env.update(env or {})
    proc = subprocess.run(
        [packer_path(), "build", *flags, "template.pkr.hcl"],
        cwd=workdir,
        env=full_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stderr == "", f"packer wrote to stderr: {proc.stderr}"
    return proc.stdout


def normalise(text: str) -> str:
    text = _SCRIPT.sub(SCRIPT, text)
    text = _RFC3339.sub("<ts>", text)
    text = _UNIX.sub("<unix>,", text)
    return _DURATION.sub("<duration>", text)


# One Ui call, as the engine would make it: (kind, build, *args).
Event = tuple[str, ...]


@dataclass
class Replay:
    """A scenario's Ui calls, replayed into a fresh kiln Ui that writes to a string."""

    builds: Sequence[str]
    events: Sequence[Event]
    results: Sequence[BuildResult] = field(default_factory=list)

    def run(self, **ui_options: object) -> str:
        out = io.StringIO()
        ui = make_ui(stdout=out, **ui_options)  # type: ignore[arg-type]
        for name in self.builds:
            ui.for_build(name)
        for event in self.events:
            _apply(ui, event)
        ui.summary(self.results, seconds=0.0123)
        return out.getvalue()


def _apply(ui: CoreUi, event: Event) -> None:
    kind, build, *args = event
    actions: dict[str, Callable[[], None]] = {
        "say": lambda: ui.for_build(build).say(args[0]),
        "message": lambda: ui.for_build(build).message(args[0]),
        "error": lambda: ui.for_build(build).error(args[0]),
        "pp_say": lambda: ui.for_post_processor(build, args[0]).say(args[1]),
        "pp_message": lambda: ui.for_post_processor(build, args[0]).message(args[1]),
        "finished": lambda: ui.build_finished(build, 0.0181),
        "errored": lambda: ui.build_errored(build, args[0], 0.0142),
    }
    actions[kind]()


def ok_result(name: str, count: int = 1) -> BuildResult:
    return BuildResult(name, [NULL_ARTIFACT] * count, None, 0.01)


def sort_machine_summary(text: str) -> list[str]:
    """Machine-readable lines with the summary's per-build groups sorted (Packer lists them in Go map order).

    A group starts at a targeted ``error`` or ``artifact-count`` line and runs to the next group.
    """
    head: list[str] = []
    groups: list[list[str]] = []
    for line in text.splitlines():
        fields = line.split(",", 3)
        starts_group = len(fields) > 2 and fields[1] != "" and fields[2] in ("error", "artifact-count")
        ends_groups = "ui,say,\\n==> Builds finished" in line or "ui,say,\\n==> Builds finished but" in line
        if ends_groups and groups:
            head += [ln for group in sorted(groups) for ln in group]
            groups = []
        if starts_group:
            groups.append([line])
        elif groups and not ends_groups:
            groups[-1].append(line)
        else:
            head.append(line)
    return head + [ln for group in sorted(groups) for ln in group]


def run_packer_terminated(workdir: Path, template: str, *flags: str, after: str) -> str:
    """``packer build`` that gets SIGTERM once a line containing ``after`` is printed; returns stdout."""
    (workdir / "template.pkr.hcl").write_text(template)
    env = {k: v for k, v in os.environ.items() if k not in ("PACKER_NO_COLOR", "PACKER_LOG")}
    env["CHECKPOINT_DISABLE"] = "1"
    proc = subprocess.Popen(
        [packer_path(), "build", *flags, "template.pkr.hcl"],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    seen: list[str] = []
    for line in proc.stdout:
        seen.append(line)
        if after in line:
            proc.send_signal(signal.SIGTERM)
            break
    rest, _ = proc.communicate(timeout=60)
    return "".join(seen) + rest
