"""kiln's console: Packer 1.6.6's build output, colours, ``-timestamp-ui`` and ``-machine-readable``.

The engine makes one :class:`CoreUi` per run with :func:`make_ui` and hands each build the Ui
returned by :meth:`CoreUi.for_build`.
"""

from .colors import BUILD_PALETTE, UiColor
from .core import CoreUi, make_ui
from .durafmt import format_duration
from .mask import MASK, SecretMask
from .summary import ArtifactSummary, BuildResult
from .tty import AskError

__all__ = [
    "BUILD_PALETTE",
    "MASK",
    "ArtifactSummary",
    "AskError",
    "BuildResult",
    "CoreUi",
    "SecretMask",
    "UiColor",
    "format_duration",
    "make_ui",
]
