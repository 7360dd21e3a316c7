"""Secret masking: every sensitive value is replaced by ``<sensitive>`` in everything the Ui prints."""

from __future__ import annotations

import threading
from collections.abc import Iterable

MASK = "<sensitive>"

# A line of a multi-line secret is masked on its own (output often arrives line by line) when it is
# at least this long: shorter lines ("}", "") would mask ordinary output and reveal nothing.
_MIN_LINE_SECRET = 8


class SecretMask:
    """A thread-safe set of secrets; ``apply`` masks them, longest first so no secret is half-masked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._ordered: tuple[str, ...] = ()
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        """Add secrets (empty strings are ignored, as in Packer's filter)."""
        with self._lock:
            for secret in secrets:
                if not secret:
                    continue
                self._secrets.add(secret)
                if "\n" in secret:
                    for line in secret.splitlines():
                        if len(line.strip()) >= _MIN_LINE_SECRET:
                            self._secrets.add(line.strip())
            self._ordered = tuple(sorted(self._secrets, key=len, reverse=True))

    def apply(self, text: str) -> str:
        """``text`` with every known secret replaced by ``<sensitive>``.

        Idempotent: text that is already masked is left alone, even when a secret is part of the word
        ``<sensitive>`` (Uis stacked on one another each mask what passes through them).
        """
        secrets = self._ordered
        if not secrets or not any(secret in text for secret in secrets):
            return text
        return MASK.join(self._mask_piece(piece, secrets) for piece in text.split(MASK))

    @staticmethod
    def _mask_piece(piece: str, secrets: tuple[str, ...]) -> str:
        for secret in secrets:
            if secret in piece:
                piece = MASK.join(SecretMask._mask_piece(part, secrets) for part in piece.split(secret))
                break
        return piece

    def __bool__(self) -> bool:
        return bool(self._ordered)
