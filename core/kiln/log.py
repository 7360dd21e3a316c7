"""The core's log: off unless KILN_LOG / PACKER_LOG is set; to KILN_LOG_PATH / PACKER_LOG_PATH or stderr.

Plugin processes' stderr lines are logged here under ``plugin:<label>``. Every line is masked
(``kiln.secrets``) before it is written, and a log file is created readable by its owner only (0600).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

from kiln import secrets

_FORMAT = "%(asctime)s [%(levelname)s] %(name)s: %(message)s"


class MaskingFormatter(logging.Formatter):
    """Formats as usual, then masks every known secret (in the message, arguments and traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        return secrets.mask(super().format(record))


def private_file(path: str, append: bool = True) -> int:
    """A file descriptor for writing ``path``, created 0600; an existing file is made 0600 too."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        os.fchmod(fd, 0o600)
    except OSError:  # not ours to change (another owner): we still write, as Packer does
        pass
    return fd


class _PrivateFileHandler(logging.StreamHandler):  # type: ignore[type-arg]
    def __init__(self, path: str) -> None:
        super().__init__(os.fdopen(private_file(path), "a", encoding="utf-8", errors="backslashreplace"))

    def close(self) -> None:
        try:
            self.flush()
            self.stream.close()
        finally:
            super().close()


def _enabled(env: Mapping[str, str]) -> bool:
    value = env.get("KILN_LOG") or env.get("PACKER_LOG") or ""
    return value not in ("", "0", "false")


def setup(env: Mapping[str, str] | None = None) -> None:
    env = os.environ if env is None else env
    root = logging.getLogger("kiln")
    for old in root.handlers:
        old.close()
    root.handlers.clear()
    root.propagate = False
    if not _enabled(env):
        root.addHandler(logging.NullHandler())
        root.setLevel(logging.CRITICAL + 1)
        return
    path = env.get("KILN_LOG_PATH") or env.get("PACKER_LOG_PATH")
    handler: logging.Handler
    try:
        handler = _PrivateFileHandler(path) if path else logging.StreamHandler(sys.stderr)
    except OSError as exc:
        sys.stderr.write(f"kiln: cannot open the log file {path}: {exc.strerror or exc}; logging to stderr\n")
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MaskingFormatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"kiln.{name}")
