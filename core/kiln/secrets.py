"""The run's secrets: every sensitive value known so far, masked in everything kiln writes.

Sensitive variables and locals, sensitive data source outputs and plugin settings marked sensitive
are added here as soon as they are known (``add``). ``kiln.cli.main`` routes the process's stdout and
stderr through :class:`MaskedStream`, the log (``kiln.log``) and the crash log (``kiln.crash``) mask
with :func:`mask`, so an error message, a diagnostic, a log line or a traceback never shows a secret,
whichever path printed it. Each secret is also masked in the forms it is commonly written in: JSON or
Go escaped, Python-quoted (tracebacks), URL-encoded and base64 (standard and URL-safe alphabets).
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.parse
from collections.abc import Iterable
from typing import Any, TextIO

from kiln.ui.mask import MASK, SecretMask

__all__ = ["MASK", "MaskedStream", "add", "encoded_forms", "mask", "registry"]

_registry = SecretMask()


def registry() -> SecretMask:
    """The process-wide mask (shared by the Ui of a run, its log and its crash log)."""
    return _registry


def encoded_forms(secret: str) -> list[str]:
    """``secret`` and the spellings it takes when a program escapes or encodes it."""
    if not secret:
        return []
    raw = secret.encode("utf-8", "surrogatepass")
    go_json = json.dumps(secret, ensure_ascii=False)[1:-1]
    forms = {
        secret,
        json.dumps(secret)[1:-1],
        go_json,
        # Go's encoding/json (jsonencode, Packer's JSON output) also escapes <, > and & for HTML
        go_json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"),
        repr(secret)[1:-1],
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret),
    }
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        text = encode(raw).decode("ascii")
        forms.add(text)
        forms.add(text.rstrip("="))
    return sorted(f for f in forms if f)


def add(*secrets: str) -> None:
    """Mask ``secrets`` (and their encoded forms) from now on in every output of this process."""
    forms: list[str] = []
    for secret in secrets:
        if isinstance(secret, str):
            forms.extend(encoded_forms(secret))
    if forms:
        _registry.add(*forms)


def add_all(values: Iterable[str]) -> None:
    add(*values)


def mask(text: str) -> str:
    """``text`` with every known secret replaced by ``<sensitive>``."""
    return _registry.apply(text)


class MaskedStream:
    """A text stream that masks secrets in what is written to it. Text is held back until a newline
    (or ``flush``) so that a secret written in pieces is still seen whole."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner
        self._pending = ""
        self._lock = threading.RLock()

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            cut = self._pending.rfind("\n")
            if cut >= 0:
                ready, self._pending = self._pending[: cut + 1], self._pending[cut + 1 :]
                self._inner.write(mask(ready))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self._inner.write(mask(self._pending))
                self._pending = ""
            self._inner.flush()

    @property
    def inner(self) -> TextIO:
        return self._inner

    def __getattr__(self, name: str) -> Any:  # fileno, isatty, encoding, buffer, ...
        return getattr(self._inner, name)
