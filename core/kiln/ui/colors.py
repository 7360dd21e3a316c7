"""Terminal colours as Packer uses them: one colour per build, in Packer's order, errors in red."""

from __future__ import annotations

import os
from enum import IntEnum


class UiColor(IntEnum):
    """ANSI foreground colour codes (Packer's ``UiColor``)."""

    RED = 31
    GREEN = 32
    YELLOW = 33
    BLUE = 34
    MAGENTA = 35
    CYAN = 36


#: The colours Packer gives builds, in order: build ``i`` gets ``BUILD_PALETTE[i % 5]``.
BUILD_PALETTE: tuple[UiColor, ...] = (
    UiColor.GREEN,
    UiColor.CYAN,
    UiColor.MAGENTA,
    UiColor.YELLOW,
    UiColor.BLUE,
)


def palette_color(index: int) -> UiColor:
    """The colour of the ``index``-th build (0-based), cycling through Packer's palette."""
    return BUILD_PALETTE[index % len(BUILD_PALETTE)]


def colors_disabled_by_env() -> bool:
    """``PACKER_NO_COLOR`` (or ``KILN_NO_COLOR``) set to anything non-empty turns colours off, as in Packer."""
    return bool(os.environ.get("PACKER_NO_COLOR") or os.environ.get("KILN_NO_COLOR"))


def colorize(message: str, color: UiColor, bold: bool) -> str:
    """Wrap the whole message (all its lines) in one escape sequence, as Packer's ``ColoredUi`` does."""
    return f"\033[{1 if bold else 0};{int(color)}m{message}\033[0m"
