"""Objects a process serves to others by id (communicators, artifacts, UIs, hooks)."""

from __future__ import annotations

import itertools
import threading
from typing import Any


class ObjectRegistry:
    """Thread-safe id -> object map. Ids are never reused within a process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._objects: dict[int, Any] = {}

    def add(self, obj: Any) -> int:
        with self._lock:
            ident = next(self._ids)
            self._objects[ident] = obj
            return ident

    def get(self, ident: int) -> Any:
        with self._lock:
            try:
                return self._objects[ident]
            except KeyError:
                raise LookupError(f"no object with id {ident} is served here (it was released)") from None

    def remove(self, ident: int) -> None:
        with self._lock:
            self._objects.pop(ident, None)
