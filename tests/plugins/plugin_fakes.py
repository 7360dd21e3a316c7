"""Test doubles for calling bundled components in-process: a recording Hook and context builders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiln_sdk.communicator.base import Communicator
from kiln_sdk.components import BuildContext, BuildInfo, Context, Hook, ProvisionContext
from kiln_sdk.config import decode
from kiln_sdk.ui import RecordingUi

INFO = BuildInfo(build_name="alpha", builder_type="null", run_uuid="11111111-2222-3333-4444-555555555555",
                 core_version="0.1.0")


@dataclass
class RecordingHook(Hook):
    """A Hook that records each call (name, communicator, data) and can run a callback."""

    calls: list[tuple[str, Communicator | None, dict[str, Any]]] = field(default_factory=list)

    def run(self, name: str, communicator: Communicator | None, data: dict[str, Any]) -> None:
        self.calls.append((name, communicator, dict(data)))


def build_ctx(ui: RecordingUi | None = None, info: BuildInfo = INFO) -> tuple[BuildContext, RecordingUi, RecordingHook]:
    ui = ui or RecordingUi()
    hook = RecordingHook()
    return BuildContext(ui=ui, info=info, hook=hook), ui, hook


def provision_ctx(info: BuildInfo = INFO, data: dict[str, Any] | None = None,
                  answers: list[str] | None = None) -> tuple[ProvisionContext, RecordingUi]:
    ui = RecordingUi(answers)
    return ProvisionContext(ui=ui, info=info, generated_data=data or {}), ui


def pp_ctx(info: BuildInfo = INFO) -> tuple[Context, RecordingUi]:
    ui = RecordingUi()
    return Context(ui=ui, info=info), ui


def configured(component: Any, raw: dict[str, Any], info: BuildInfo = INFO) -> list[str]:
    """Decode ``raw`` against the component's Config and prepare/configure it; return the warnings."""
    config = decode(component.Config, raw)
    if hasattr(component, "configure"):
        return component.configure(config, info)  # type: ignore[no-any-return]
    return component.prepare(config, info)  # type: ignore[no-any-return]


def diag_paths(exc: Any) -> list[tuple[str, tuple[str, ...]]]:
    return [(d.summary, d.path) for d in exc.diagnostics]
