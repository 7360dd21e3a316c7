"""The core's log: off unless KILN_LOG / PACKER_LOG is set; to KILN_LOG_PATH / PACKER_LOG_PATH or stderr.

Plugin processes' stderr lines are logged here under ``plugin:<label>``.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping

_FORMAT = "%(asctime)s [%(levelname)s] %(name)s: %(message)s"


def _enabled(env: Mapping[str, str]) -> bool:
    value = env.get("KILN_LOG") or env.get("PACKER_LOG") or ""
    return value not in ("", "0", "false")


def setup(env: Mapping[str, str] | None = None) -> None:
    env = os.environ if env is None else env
    root = logging.getLogger("kiln")
    root.handlers.clear()
    root.propagate = False
    if not _enabled(env):
        root.addHandler(logging.NullHandler())
        root.setLevel(logging.CRITICAL + 1)
        return
    path = env.get("KILN_LOG_PATH") or env.get("PACKER_LOG_PATH")
    handler: logging.Handler = logging.FileHandler(path) if path else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"kiln.{name}")
