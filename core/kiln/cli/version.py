"""``kiln version``."""

from __future__ import annotations

from collections.abc import Sequence

from kiln.version import PACKER_COMPAT_VERSION, __version__

USAGE = """Prints the kiln version.
"""


def run(argv: Sequence[str], machine_readable: bool = False) -> int:
    if machine_readable:
        import time

        now = int(time.time())
        print(f"{now},,version,{__version__}")
        print(f"{now},,version-prelease,")
        print(f"{now},,version-commit,")
        print(f"{now},,ui,say,kiln v{__version__} (Packer v{PACKER_COMPAT_VERSION} compatible)")
        return 0
    print(f"kiln v{__version__} (Packer v{PACKER_COMPAT_VERSION} compatible)")
    return 0
