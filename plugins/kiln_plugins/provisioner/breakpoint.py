"""The ``breakpoint`` provisioner: pause the build until the user presses enter."""

from __future__ import annotations

from dataclasses import dataclass

from kiln_sdk import (
    BuildError,
    BuildInfo,
    Cancelled,
    ProvisionContext,
    Provisioner,
    interpolate_config,
    setting,
)


@dataclass
class BreakpointConfig:
    note: str = setting(default="", doc="Shown when the build pauses.")
    disable: bool = setting(default=False, doc="Continue without pausing.")


class BreakpointProvisioner(Provisioner[BreakpointConfig]):
    Config = BreakpointConfig
    description = "Pauses the build until enter is pressed."

    def __init__(self) -> None:
        self.config = BreakpointConfig()

    def prepare(self, config: BreakpointConfig, info: BuildInfo) -> list[str]:
        interpolate_config(config, info)
        self.config = config
        return []

    def provision(self, ctx: ProvisionContext) -> None:
        note = self.config.note
        if self.config.disable:
            if note:
                ctx.ui.say(f'Breakpoint provisioner with note "{note}" disabled; continuing...')
            else:
                ctx.ui.say("Breakpoint provisioner disabled; continuing...")
            return
        if note:
            ctx.ui.say(f'Pausing at breakpoint provisioner with note "{note}".')
        else:
            ctx.ui.say("Pausing at breakpoint provisioner.")
        try:
            ctx.ui.ask("Press enter to continue.")
        except Cancelled:
            raise
        except Exception as exc:  # e.g. no terminal to answer on
            raise BuildError(f"Error asking for input: {exc}") from exc
        ctx.check_cancelled()
