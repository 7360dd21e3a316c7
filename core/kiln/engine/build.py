"""Run one prepared build: the builder (which calls the provision hook), then the post-processor chains."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from kiln_sdk.host import CallbackRef, CallbackServer, CallTimedOut, PluginCrashed, RemoteArtifact

from kiln import log
from kiln.engine.postprocess import run_chains
from kiln.engine.prepare import failure_text
from kiln.engine.prepared import PreparedBuild
from kiln.engine.provision import ProvisionHook
from kiln.ui import ArtifactSummary, BuildResult, CoreUi

_log = log.get("build")


def summarize(artifacts: Sequence[RemoteArtifact]) -> list[ArtifactSummary]:
    return [ArtifactSummary(a.builder_id, a.id, a.string, list(a.files)) for a in artifacts]


def multierror(errors: Sequence[str]) -> str:
    """Packer's MultiError text, as it reports the post-processing errors of a build."""
    items = "\n".join(f"* {e}" for e in errors)
    return f"{len(errors)} error(s) occurred:\n\n{items}"


class BuildRunner:
    def __init__(self, core_ui: CoreUi, callbacks: CallbackServer, cancel: threading.Event, hcl2: bool,
                 render: Callable[[Any], str], cancel_grace: float) -> None:
        self.core_ui = core_ui
        self.callbacks = callbacks
        self.cancel = cancel
        self.hcl2 = hcl2
        self.render = render
        self.cancel_grace = cancel_grace

    def _pp_ui_ref(self, build_name: str, pp_type: str) -> CallbackRef:
        """A post-processor's own lines are targeted ``null.alpha (manifest)``, as Packer does."""
        return self.callbacks.add_ui(self.core_ui.for_post_processor(build_name, pp_type))

    def run(self, build: PreparedBuild) -> BuildResult:
        ui = self.core_ui.for_build(build.name)
        ui_ref = self.callbacks.add_ui(ui)
        hook = ProvisionHook(build, ui, ui_ref, self.cancel, self.render, self.cancel_grace)
        hook_ref = self.callbacks.add_hook(hook)
        self.core_ui.build_started(build.name)
        started = time.monotonic()
        artifacts: list[RemoteArtifact] = []
        error: str | None = None
        killed = False
        try:
            result = build.builder.client.run(ui_ref, hook_ref, cancel=self.cancel, cancel_grace=self.cancel_grace)
            if hook.stuck:  # a provisioner did not stop when cancelled: its plugin was killed
                error, killed = hook.stuck, True
            elif result.cancelled or self.cancel.is_set():
                error = "Build was cancelled."
            elif result.errors:
                error = failure_text(build.builder.spec, result.diagnostics, "builder", self.render)
            elif result.artifact is not None:
                outcome = run_chains(build, result.artifact, ui, self._pp_ui_ref, self.cancel, self.hcl2,
                                     self.cancel_grace, self.render)
                artifacts = outcome.artifacts
                error = multierror(outcome.errors) if outcome.errors else None
        except CallTimedOut as exc:
            error = str(exc)
            if self.cancel.is_set():  # it did not stop within the grace period: stop waiting for it
                stuck = hook.running  # the builder waits for a provisioner that does not stop: name that one
                if hook.stuck:  # that provisioner's own grace ran out first: it is killed already
                    error = hook.stuck
                elif stuck is not None:
                    error = (f"The {stuck.process.label} did not stop the {stuck.label} within "
                             f"{self.cancel_grace:g}s of being cancelled.")
                    stuck.process.kill()
                else:
                    build.builder.client.process.kill()
                killed = True
        except PluginCrashed as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - one build's failure must not stop the others
            _log.exception("build %s failed", build.name)
            error = f"{type(exc).__name__}: {exc}"
        finally:
            self.callbacks.remove(hook_ref)
        seconds = time.monotonic() - started
        if error is None:
            self.core_ui.build_finished(build.name, seconds)
        else:
            self.core_ui.build_errored(build.name, error, seconds)
        self.callbacks.remove(ui_ref)
        return BuildResult(build.name, summarize(artifacts), error, seconds, killed=killed)
