"""An unexpected internal error: one line for the user, the traceback in ``kiln-crash.log``.

As Packer's ``crash.log``: the file is written in the current directory (or ``$TMPDIR`` when the
current directory is not writable), readable by its owner only (0600), masked like every other
output (``kiln.secrets``), and kiln exits 1.
"""

from __future__ import annotations

import datetime
import os
import sys
import tempfile
import traceback
from typing import TextIO

from kiln import secrets
from kiln.log import private_file
from kiln.version import __version__

CRASH_LOG = "kiln-crash.log"


def write_crash_log(exc: BaseException, argv: list[str]) -> str | None:
    """Write the report of ``exc``; the path written, or None when no place could be written."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = secrets.mask(
        f"kiln {__version__} crashed at {when}\ncommand: kiln {' '.join(argv)}\n"
        f"python: {sys.version.split()[0]}\n\n{text}"
    )
    for folder in (os.getcwd(), tempfile.gettempdir()):
        path = os.path.join(folder, CRASH_LOG)
        try:
            fd = private_file(path, append=False)
        except OSError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as f:
            f.write(report)
        return path
    return None


def report_crash(exc: BaseException, argv: list[str], out: TextIO) -> int:
    """The user's one line, the crash log, and the exit status (1)."""
    path = write_crash_log(exc, argv)
    where = f"the traceback is in {path}" if path else "no crash log could be written"
    summary = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
    try:
        out.write(secrets.mask(f"kiln crashed: internal error ({summary[:200]}); {where}; please report it.\n"))
        out.flush()
    except (OSError, ValueError):  # the output itself is gone (a closed pipe)
        pass
    return 1
