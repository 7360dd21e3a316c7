"""The closing lines of ``packer build``: wait time, the errors, and the artifacts of successful builds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kiln_sdk.ui import Ui

from .durafmt import format_duration


@dataclass
class ArtifactSummary:
    """What the summary shows of one artifact (Packer's ``Artifact`` BuilderId/Id/String/Files)."""

    builder_id: str
    id: str
    string: str
    files: list[str] = field(default_factory=list)


@dataclass
class BuildResult:
    """How one build ended: its artifacts when it succeeded, or its error message."""

    name: str
    artifacts: list[ArtifactSummary] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    killed: bool = False  # cancelled, its plugin did not stop within the grace period and was killed


def write_summary(
    ui: Ui, results: Sequence[BuildResult], wait_seconds: float, interrupted: bool = False
) -> None:
    """Write Packer 1.6.6's closing lines to the core Ui, in the order of ``results``.

    A build that succeeded with no artifact is left out of the artifacts list, as Packer leaves out a
    build whose builder returned no artifact.
    """
    ui.say(f"\n==> Wait completed after {format_duration(wait_seconds)}")
    if interrupted:
        killed = [r.name for r in results if r.killed]
        if killed:  # not "cleanly": a plugin had to be killed, its cleanups may not have run
            ui.say(f"Cancelled builds after being interrupted; the plugin of {', '.join(killed)} did not stop "
                   "in time and was killed (its cleanups may not have run: see kiln cleanup).")
        else:
            ui.say("Cleanly cancelled builds after being interrupted.")
        return
    errored = [r for r in results if r.error is not None]
    if errored:
        ui.machine("error-count", str(len(errored)))
        ui.error("\n==> Some builds didn't complete successfully and had errors:")
        for result in errored:
            error = result.error or ""
            ui.machine(f"{result.name},error", error)
            ui.error(f"--> {result.name}: {error}")
    finished = [r for r in results if r.error is None and r.artifacts]
    if not finished:
        ui.say("\n==> Builds finished but no artifacts were created.")
        return
    ui.say("\n==> Builds finished. The artifacts of successful builds are:")
    for result in finished:
        _write_artifacts(ui, result)


def _write_artifacts(ui: Ui, result: BuildResult) -> None:
    target = result.name
    ui.machine(f"{target},artifact-count", str(len(result.artifacts)))
    for index, artifact in enumerate(result.artifacts):
        i = str(index)
        ui.machine(f"{target},artifact", i, "builder-id", artifact.builder_id)
        ui.machine(f"{target},artifact", i, "id", artifact.id)
        ui.machine(f"{target},artifact", i, "string", artifact.string)
        ui.machine(f"{target},artifact", i, "files-count", str(len(artifact.files)))
        for file_index, path in enumerate(artifact.files):
            ui.machine(f"{target},artifact", i, "file", str(file_index), path)
        ui.machine(f"{target},artifact", i, "end")
        ui.say(f"--> {target}: {artifact.string}")
