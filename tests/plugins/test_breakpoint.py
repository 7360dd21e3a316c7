"""The breakpoint provisioner, called in-process."""

from __future__ import annotations

import pytest
from kiln_plugins.provisioner.breakpoint import BreakpointProvisioner
from kiln_sdk.components import ProvisionContext
from kiln_sdk.diagnostics import BuildError
from kiln_sdk.ui import RecordingUi

from tests.plugins.plugin_fakes import INFO, configured, provision_ctx


def run(raw: dict[str, object]) -> list[tuple[str, str]]:
    p = BreakpointProvisioner()
    configured(p, raw)
    ctx, ui = provision_ctx(answers=[""])
    p.provision(ctx)
    return [(kind, args[0]) for kind, args in ui.calls]


def test_pauses_and_asks_to_press_enter() -> None:
    assert run({}) == [("say", "Pausing at breakpoint provisioner."), ("ask", "Press enter to continue.")]
    assert run({"note": "look at /tmp"}) == [
        ("say", 'Pausing at breakpoint provisioner with note "look at /tmp".'),
        ("ask", "Press enter to continue."),
    ]


def test_disabled_continues_without_asking() -> None:
    assert run({"disable": True}) == [("say", "Breakpoint provisioner disabled; continuing...")]
    assert run({"disable": True, "note": "n"}) == [
        ("say", 'Breakpoint provisioner with note "n" disabled; continuing...')]


def test_a_failed_question_fails_the_build_like_packer() -> None:
    class NoTty(RecordingUi):
        def ask(self, query: str) -> str:
            raise OSError("no available tty")

    p = BreakpointProvisioner()
    configured(p, {})
    ui = NoTty()
    with pytest.raises(BuildError, match="^Error asking for input: no available tty$"):
        p.provision(ProvisionContext(ui=ui, info=INFO))
