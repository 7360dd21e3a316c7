"""Packer's step runner: order, reverse cleanup, halts, errors, cancellation, -on-error modes."""

from __future__ import annotations

from kiln_sdk.components import BuildInfo, Context
from kiln_sdk.step import ERROR, Action, StateBag, StateKey, Step, StepRunner
from kiln_sdk.ui import RecordingUi

LOG: StateKey[list[str]] = StateKey("log")


class Recorder(Step):
    def __init__(self, name: str, fail: int = 0, halt: bool = False) -> None:
        self.name, self.fail, self.halt = name, fail, halt

    def run(self, ctx: Context, state: StateBag) -> Action:
        state.get(LOG).append(f"run {self.name}")
        if self.fail:
            self.fail -= 1
            raise RuntimeError(f"{self.name} broke")
        return Action.HALT if self.halt else Action.CONTINUE

    def cleanup(self, ctx: Context, state: StateBag) -> None:
        state.get(LOG).append(f"cleanup {self.name}")


def run(steps: list[Step], on_error: str = "cleanup", answers: list[str] | None = None) -> tuple[list[str], StateBag, RecordingUi]:
    ui = RecordingUi(answers)
    state = StateBag()
    state.put(LOG, [])
    StepRunner(steps).run(Context(ui=ui, info=BuildInfo(on_error=on_error)), state)
    return state.get(LOG), state, ui


def test_all_steps_run_then_cleanup_in_reverse() -> None:
    log, state, _ = run([Recorder("a"), Recorder("b")])
    assert log == ["run a", "run b", "cleanup b", "cleanup a"]
    assert ERROR not in state


def test_error_stops_and_cleans_up_what_ran() -> None:
    log, state, _ = run([Recorder("a"), Recorder("b", fail=1), Recorder("c")])
    assert log == ["run a", "run b", "cleanup b", "cleanup a"]
    assert str(state.get(ERROR)) == "b broke"


def test_halt_stops_without_error() -> None:
    log, state, _ = run([Recorder("a", halt=True), Recorder("b")])
    assert log == ["run a", "cleanup a"] and ERROR not in state


def test_on_error_abort_skips_cleanup() -> None:
    log, _, ui = run([Recorder("a"), Recorder("b", fail=1)], on_error="abort")
    assert log == ["run a", "run b"]
    assert ui.lines("error") == [
        "b broke", 'Step "Recorder" failed, aborting...', 'aborted: skipping cleanup of step "Recorder"',
    ]


def test_on_error_ask_retry_then_cleanup() -> None:
    log, state, ui = run([Recorder("a", fail=1), Recorder("b")], on_error="ask", answers=["x", "r"])
    assert log == ["run a", "run a", "run b", "cleanup b", "cleanup a"]
    assert ERROR not in state
    assert len(ui.lines("ask")) == 2 and 'Step "Recorder" failed' in ui.lines("ask")[0]


def test_on_error_ask_abort() -> None:
    log, _, _ = run([Recorder("a", fail=1)], on_error="ask", answers=["a"])
    assert log == ["run a"]
