"""What ``kiln build`` was asked to do, beyond the template."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field

ON_ERROR_CHOICES = ("cleanup", "abort", "ask", "run-cleanup-provisioner")


@dataclass(frozen=True)
class BuildOptions:
    force: bool = False
    debug: bool = False
    on_error: str = "cleanup"
    parallel_builds: int = 0  # 0 = no limit
    only: tuple[str, ...] = ()
    except_: tuple[str, ...] = ()


def matches(name: str, patterns: Sequence[str]) -> bool:
    """Packer's -only/-except/only/except matching: exact names or glob patterns."""
    return any(name == p or fnmatch.fnmatchcase(name, p) for p in patterns)


@dataclass
class Selection:
    only: Sequence[str] = field(default_factory=tuple)
    except_: Sequence[str] = field(default_factory=tuple)

    def admits(self, name: str) -> bool:
        if self.only and not matches(name, self.only):
            return False
        return not (self.except_ and matches(name, self.except_))
