"""Steps every builder needs (Packer's communicator.StepConnect and commonsteps.StepProvision)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiln_sdk.communicator.base import Communicator
from kiln_sdk.components import BuildContext, Context
from kiln_sdk.diagnostics import BuildError
from kiln_sdk.step import Action, StateBag, StateKey, Step

COMMUNICATOR: StateKey[Communicator | None] = StateKey("communicator")
HOOK_DATA: StateKey[dict[str, Any]] = StateKey("hook_data")


class StepConnect(Step):
    """Connect the builder's communicator (``connect`` returns None for communicator "none")."""

    def __init__(self, connect: Callable[[Context, StateBag], Communicator | None]) -> None:
        self.connect = connect

    def run(self, ctx: Context, state: StateBag) -> Action:
        """Connect (``connect``) and put the communicator into the state for the steps after it."""
        state.put(COMMUNICATOR, self.connect(ctx, state))
        return Action.CONTINUE

    def cleanup(self, ctx: Context, state: StateBag) -> None:
        communicator = state.get_or(COMMUNICATOR, None)
        if communicator is not None:
            communicator.close()


class StepProvision(Step):
    """Run the build's provisioners through the core's hook, over the connected communicator."""

    def run(self, ctx: Context, state: StateBag) -> Action:
        """Run the core's provisioners on the communicator the state holds (none: local ones only)."""
        if not isinstance(ctx, BuildContext) or ctx.hook is None:
            raise BuildError("StepProvision runs inside a builder's run, which has the core's hook")
        ctx.hook.provision(state.get_or(COMMUNICATOR, None), state.get_or(HOOK_DATA, {}))
        return Action.CONTINUE
