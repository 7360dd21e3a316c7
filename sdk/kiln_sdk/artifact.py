"""Artifact: what a builder or post-processor produces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Artifact:
    """Packer's Artifact. ``state`` holds JSON-able values (e.g. ``{"atlas.artifact.metadata": ...}``).

    ``destroy`` runs in the process that made the artifact (the core calls it over RPC).
    """

    builder_id: str
    id: str = ""
    files: list[str] = field(default_factory=list)
    string: str = ""
    state: dict[str, Any] = field(default_factory=dict)
    destroy_fn: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return self.string

    def destroy(self) -> None:
        """Delete what the artifact stands for (its destroy function), if it has one."""
        if self.destroy_fn is not None:
            self.destroy_fn()
