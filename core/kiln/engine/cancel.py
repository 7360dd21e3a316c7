"""Cancellation signals that combine: the run's Ctrl-C, and a per-call deadline."""

from __future__ import annotations

import threading
import time


class Deadline(threading.Event):
    """Set when ``parent`` is set or ``seconds`` have passed (``timed_out`` tells which)."""

    def __init__(self, parent: threading.Event, seconds: float | None) -> None:
        super().__init__()
        self.parent = parent
        self.deadline = None if seconds is None else time.monotonic() + seconds

    @property
    def timed_out(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline and not self.parent.is_set()

    def is_set(self) -> bool:
        return super().is_set() or self.parent.is_set() or (
            self.deadline is not None and time.monotonic() >= self.deadline
        )

    def wait(self, timeout: float | None = None) -> bool:
        end = None if timeout is None else time.monotonic() + timeout
        while not self.is_set():
            remaining = None if end is None else end - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            super().wait(0.05 if remaining is None else min(0.05, remaining))
        return True
