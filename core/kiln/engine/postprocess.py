"""Post-processor chains, with Packer's rules for keeping and destroying artifacts.

Each chain starts from the builder's artifact. A post-processor's result replaces the chain's
artifact; the input is kept when ``keep_input_artifact`` says so (or the post-processor's default,
unless it forces keeping). The builder's artifact is kept when any chain's first post-processor keeps
it, or when there are no chains; otherwise it is destroyed at the end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiln_sdk.diagnostics import Cancelled
from kiln_sdk.host import CallbackRef, CallTimedOut, PluginCrashed, RemoteArtifact
from kiln_sdk.ui import Ui

from kiln import log
from kiln.engine.prepare import failure_text, plugin_diagnostics
from kiln.engine.prepared import PreparedBuild, PreparedPostProcessor
from kiln.engine.provision import build_variables

_log = log.get("postprocess")


@dataclass
class ChainOutcome:
    artifacts: list[RemoteArtifact] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _keep(pp: PreparedPostProcessor, default_keep: bool, force_override: bool) -> bool:
    wanted = pp.spec.keep_input_artifact
    if wanted is None:
        return default_keep
    if default_keep and not wanted and force_override:
        _log.info("the %s post-processor forces keep_input_artifact=true; the template's false is ignored",
                  pp.component.spec.type)
        return True
    return wanted


def _configure_with_build_data(build: PreparedBuild, pp: PreparedPostProcessor, artifact: RemoteArtifact,
                               render: Callable[[Any], str]) -> str:
    """Evaluate the post-processor's settings again now that ``build.*`` is known (the provision hook's
    data and the artifact's generated data), as today's Packer does; Configure again if they changed.
    Returns the problem, or ""."""
    component = pp.component
    data = {"PackerRunUUID": build.info.run_uuid, **build.build_data,
            **(artifact.state.get("generated_data") or {})}
    decoded = component.spec.decode(component.schema, build_variables(data))
    if decoded.has_errors:
        return render(decoded.diagnostics).strip()
    if decoded.config != component.config:
        result = component.client.configure(decoded.config, component.info)
        if result.errors:
            return render(plugin_diagnostics(component.spec, result.errors, "post-processor")).strip()
        component.config = decoded.config
    return ""


def run_chains(build: PreparedBuild, builder_artifact: RemoteArtifact, ui: Ui,
               pp_ui: Callable[[str, str], CallbackRef], cancel: threading.Event, hcl2: bool,
               cancel_grace: float, render: Callable[[Any], str]) -> ChainOutcome:
    """Run every chain; ``pp_ui(build name, type)`` gives the Ui a post-processor writes to."""
    outcome = ChainOutcome()
    keep_original = not build.chains
    for chain in build.chains:
        prior: RemoteArtifact = builder_artifact
        for index, pp in enumerate(chain):
            if cancel.is_set():
                raise Cancelled()
            spec = pp.component.spec
            ui.say(f"Running post-processor: {spec.name} (type {spec.type})" if hcl2
                   else f"Running post-processor: {spec.type}")
            problem = _configure_with_build_data(build, pp, prior, render)
            if problem:
                outcome.errors.append(f"Post-processor failed: {problem}")
                break
            try:
                result = pp.component.client.post_process(pp_ui(build.name, spec.type), prior, cancel=cancel,
                                                          cancel_grace=cancel_grace)
            except (PluginCrashed, CallTimedOut) as exc:
                outcome.errors.append(f"Post-processor failed: {exc}")
                break
            if result.cancelled:
                raise Cancelled()
            if result.errors:
                text = failure_text(spec, result.diagnostics, "post-processor", render)
                outcome.errors.append(f"Post-processor failed: {text}")
                break
            if result.artifact is None:
                _log.info("post-processor %s returned nothing: the chain ends", spec.type)
                break
            keep = _keep(pp, result.keep, result.force_override)
            if index == 0:
                keep_original = keep_original or keep
            elif keep:
                outcome.artifacts.append(prior)
            else:
                _destroy(prior, outcome, f"Failed cleaning up prior artifact: {{}}; pp is {spec.type}")
            prior = result.artifact
        else:  # the chain ran to its end: its last artifact is a result of the build
            if chain:
                outcome.artifacts.append(prior)
    if keep_original:
        outcome.artifacts.insert(0, builder_artifact)
    else:
        _destroy(builder_artifact, outcome, "Error destroying builder artifact: {}")
    return outcome


def _destroy(artifact: RemoteArtifact, outcome: ChainOutcome, message: str) -> None:
    try:
        artifact.destroy()
    except Exception as exc:  # noqa: BLE001 - reported as the build's error, like Packer
        outcome.errors.append(message.format(exc))
