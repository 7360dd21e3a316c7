"""One ``kiln build``: select builds, prepare everything, run builds in parallel, summarize.

Ctrl-C or SIGTERM cancels every build; each build's cleanups run before kiln exits. A second
interrupt stops waiting and kills every plugin process.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from kiln_sdk.components import BuildInfo
from kiln_sdk.host import CallbackServer

from kiln import log
from kiln.engine.build import BuildRunner
from kiln.engine.options import BuildOptions, Selection
from kiln.engine.prepare import PrepareFailed, Preparer
from kiln.plugins.host import PluginHost
from kiln.template.model import BuildSpec, Template
from kiln.ui import BuildResult, CoreUi
from kiln.version import PACKER_COMPAT_VERSION

_log = log.get("session")
DEFAULT_CANCEL_GRACE = 300.0
"""Seconds a cancelled component may take for its cleanups (KILN_CANCEL_GRACE) before it is killed."""
_SIGNAL_WORDS: dict[int, str] = {int(signal.SIGINT): "interrupt", int(signal.SIGTERM): "terminated"}


def selected_builds(template: Template, options: BuildOptions) -> list[BuildSpec]:
    selection = Selection(options.only, options.except_)
    return [b for b in template.builds() if selection.admits(b.name)]


def build_info(template: Template, options: BuildOptions, build: BuildSpec, run_uuid: str) -> BuildInfo:
    """What every component of ``build`` is told (Packer's packer_* settings)."""
    path = os.path.abspath(template.path)
    return BuildInfo(
        build_name=build.source_block_name or build.source_name, builder_type=build.builder_type, core_version=PACKER_COMPAT_VERSION,
        run_uuid=run_uuid, debug=options.debug, force=options.force, on_error=options.on_error,
        template_dir=path if os.path.isdir(path) else os.path.dirname(path),
        sensitive_values=tuple(template.sensitive_values),
    )


class BuildSession:
    def __init__(self, template: Template, options: BuildOptions, ui: CoreUi, host: PluginHost) -> None:
        self.template = template
        self.options = options
        self.ui = ui
        self.host = host
        self.run_uuid = str(uuid.uuid4())
        self.cancel = threading.Event()
        self.interrupted = False

    def info_for(self, build: BuildSpec) -> BuildInfo:
        return build_info(self.template, self.options, build, self.run_uuid)

    def run(self) -> int:
        """Run everything; return Packer's exit code."""
        builds = selected_builds(self.template, self.options)
        self.host.interrupt = self.cancel  # a Ctrl-C while plugins start or prepare stops the waiting
        with self._signals(), CallbackServer() as callbacks:
            started = time.monotonic()
            preparer = Preparer(self.host, self.options, self.info_for)
            try:
                prepared = preparer.prepare(builds)
            except PrepareFailed as exc:
                if self.cancel.is_set():  # interrupted while preparing: nothing ran
                    self.ui.summary([], interrupted=True)
                    return 1
                self.ui.error(self.template.render(exc.diagnostics).rstrip("\n"))
                return 1
            if self.cancel.is_set():
                self.ui.summary([], interrupted=True)
                return 1
            _log.debug("timing: prepared %d build(s) in %.3fs", len(prepared), time.monotonic() - started)
            warnings = [d for d in preparer.diagnostics if d.severity != "error"]
            if warnings:  # as Packer's build: the components' warnings, rendered as validate does, first
                self.ui.say(self.template.render(warnings))
            self.ui.add_sensitive(*preparer.sensitive)
            runner = BuildRunner(self.ui, callbacks, self.cancel, self.template.kind == "hcl2", self.template.render,
                                 float(self.host.env.get("KILN_CANCEL_GRACE", DEFAULT_CANCEL_GRACE)))
            workers = len(prepared) if self.options.parallel_builds <= 0 else self.options.parallel_builds
            if self.options.debug:
                workers = 1
            for build in prepared:  # Packer announces every build's colour, in order, before any runs
                self.ui.for_build(build.name)
            results: list[BuildResult] = []
            if prepared:
                with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="build") as pool:
                    results = list(pool.map(runner.run, prepared))
            _log.debug("timing: builds ran in %.3fs", time.monotonic() - started)
            self.ui.summary(results, interrupted=self.interrupted)
        if self.interrupted:
            return 1
        return 1 if any(r.error for r in results) else 0

    @contextmanager
    def _signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous: dict[int, Any] = {}

        def handler(signum: int, frame: object) -> None:
            if self.cancel.is_set():
                self.ui.error("Interrupted again: stopping every plugin process now.")
                self.host.kill_all()
                return
            self.interrupted = True
            self.ui.error(f"Cancelling build after receiving {_SIGNAL_WORDS.get(signum, str(signum))}")
            self.cancel.set()

        for sig in _SIGNAL_WORDS:
            previous[sig] = signal.signal(sig, handler)
        try:
            yield
        finally:
            for sig, old in previous.items():
                signal.signal(sig, old)


def run_build(template: Template, options: BuildOptions, ui: CoreUi, host: PluginHost) -> int:
    return BuildSession(template, options, ui, host).run()




__all__ = ["BuildSession", "build_info", "run_build", "selected_builds", "validate_builds"]


def validate_builds(template: Template, options: BuildOptions, host: PluginHost) -> int:
    """Prepare every selected component as ``build`` would, print every problem, start nothing else."""
    run_uuid = str(uuid.uuid4())
    preparer = Preparer(host, options, lambda build: build_info(template, options, build, run_uuid),
                        keep_running=False)
    try:
        preparer.prepare(selected_builds(template, options))
    except PrepareFailed as exc:
        sys.stdout.write(template.render(exc.diagnostics))
        return 1
    warnings = [d for d in preparer.diagnostics if d.severity != "error"]
    if warnings:
        sys.stdout.write(template.render(warnings))
    return 0
