"""Packer's step runner: steps run in order; on halt or error, the cleanups of every step that ran
run in reverse order. The state bag is typed: keys are ``StateKey[T]`` objects, not bare strings."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from enum import Enum
from typing import Any, Generic, TypeVar

from kiln_sdk.components import Context

T = TypeVar("T")


class StateKey(Generic[T]):
    """A typed key of the StateBag: ``StateKey[str]("name")`` reads back as ``str``."""
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"StateKey({self.name!r})"


class StateBag:
    """The typed state the steps of one build share: values put under a StateKey, read back by type."""
    def __init__(self) -> None:
        self._values: dict[StateKey[Any], Any] = {}

    def put(self, key: StateKey[T], value: T) -> None:
        """Store ``value`` under ``key`` (replacing what was there)."""
        self._values[key] = value

    def get(self, key: StateKey[T]) -> T:
        """The value under ``key``; KeyError naming the key when no step put it yet."""
        try:
            return self._values[key]  # type: ignore[no-any-return]
        except KeyError:
            raise KeyError(f"state {key.name!r} was never put: a step that provides it must run first") from None

    def get_or(self, key: StateKey[T], default: T) -> T:
        """The value under ``key``, or ``default`` when nothing was put there."""
        return self._values.get(key, default)  # type: ignore[no-any-return]

    def __contains__(self, key: StateKey[Any]) -> bool:
        return key in self._values

    def delete(self, key: StateKey[Any]) -> None:
        """Remove the value under ``key`` (nothing happens when there is none)."""
        self._values.pop(key, None)


ERROR: StateKey[BaseException] = StateKey("error")
CANCELLED: StateKey[bool] = StateKey("cancelled")
HALTED: StateKey[bool] = StateKey("halted")


class Action(Enum):
    """What a step tells the runner: go on with the next step, or halt the build (cleanup still runs)."""
    CONTINUE = "continue"
    HALT = "halt"


class Step(ABC):
    """One step of a builder's run (Packer's multistep): ``run`` does the work, ``cleanup`` undoes it."""
    @abstractmethod
    def run(self, ctx: Context, state: StateBag) -> Action:
        """Do this step's work; return Action.CONTINUE, or Action.HALT to stop the build."""

    def cleanup(self, ctx: Context, state: StateBag) -> None:  # noqa: B027 - optional hook
        """Undo what ``run`` did. Runs even when the build failed or was cancelled."""


ASK_PROMPT = (
    "Step \"{step}\" failed\n[c] Clean up and exit, [a] abort without cleanup, or [r] retry step "
    "(build may fail even if retry succeeds)?"
)


class StepRunner:
    """Runs steps; a step that raises or halts stops the run, then cleanups run in reverse order.

    Packer's ``-on-error`` applies when a step fails (not when the build is cancelled): ``abort`` and
    ``run-cleanup-provisioner`` leave everything in place (no cleanup), ``ask`` asks the user whether
    to clean up, abort or retry the step.
    """

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = list(steps)

    def run(self, ctx: Context, state: StateBag) -> None:
        """Run the steps in order until one halts, fails or the build is cancelled, then clean up every
        step that ran, last first (cleanup runs on success, failure and cancel alike)."""
        ran: list[Step] = []
        skip_cleanup = False
        try:
            for step in self.steps:
                if ctx.cancelled:
                    state.put(CANCELLED, True)
                    break
                ran.append(step)
                action, skip_cleanup = self._run_step(step, ctx, state)
                if action is Action.HALT:
                    break
            if ctx.cancelled:
                state.put(CANCELLED, True)
        finally:
            if skip_cleanup:
                self._say_skipped(ran, ctx)
            else:
                self._cleanup(ran, ctx, state)

    def _run_step(self, step: Step, ctx: Context, state: StateBag) -> tuple[Action, bool]:
        """(what to do next, whether to skip every cleanup)."""
        while True:
            try:
                action = step.run(ctx, state)
            except BaseException as exc:  # noqa: BLE001 - recorded, cleanups still run
                state.put(ERROR, exc)
                action = Action.HALT
            else:
                if action is Action.HALT:
                    state.put(HALTED, True)
            if action is Action.CONTINUE or ERROR not in state or ctx.cancelled:
                return action, False
            mode = ctx.info.on_error
            if mode in ("abort", "run-cleanup-provisioner"):
                ctx.ui.error(str(state.get(ERROR)))
                return Action.HALT, True
            if mode != "ask":
                return Action.HALT, False
            answer = ""
            while answer not in ("c", "a", "r"):
                answer = ctx.ui.ask(ASK_PROMPT.format(step=type(step).__name__)).strip().lower()[:1]
            if answer == "c":
                return Action.HALT, False
            if answer == "a":
                ctx.ui.error(str(state.get(ERROR)))
                return Action.HALT, True
            state.delete(ERROR)  # retry the step

    @staticmethod
    def _say_skipped(ran: Sequence[Step], ctx: Context) -> None:
        """Packer 1.6.6's lines for cleanups that do not happen. With -on-error=abort it names the failed
        step, then each skipped cleanup; with run-cleanup-provisioner (the error-cleanup-provisioner
        already ran) it says "failed, aborting" for each earlier step instead."""
        if ctx.info.on_error == "run-cleanup-provisioner":
            for step in reversed(ran[:-1]):
                ctx.ui.error(f'Step "{type(step).__name__}" failed, aborting...')
            return
        ctx.ui.error(f'Step "{type(ran[-1]).__name__}" failed, aborting...')
        for step in reversed(ran[:-1]):
            ctx.ui.error(f'aborted: skipping cleanup of step "{type(step).__name__}"')

    @staticmethod
    def _cleanup(ran: Sequence[Step], ctx: Context, state: StateBag) -> None:
        for step in reversed(ran):
            try:
                step.cleanup(ctx, state)
            except Exception as exc:  # noqa: BLE001 - one failed cleanup must not skip the others
                ctx.ui.error(f"Error during cleanup of {type(step).__name__}: {exc}")
