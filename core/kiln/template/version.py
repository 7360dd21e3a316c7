"""HashiCorp version constraints (go-version): ``>= 1.2, < 2.0``, ``~> 1.6``, ``!= 1.5.0``, ``1.6.6``.

Used for ``packer { required_version = "..." }`` and ``required_plugins`` version constraints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION = re.compile(
    r"v?(?P<segs>[0-9]+(?:\.[0-9]+)*)"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+(?P<meta>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)
_CONSTRAINT = re.compile(r"\s*(?P<op>~>|>=|<=|!=|=|>|<)?\s*(?P<ver>\S+)\s*")


class VersionError(ValueError):
    """A malformed version or constraint string."""


@dataclass(frozen=True)
class Version:
    segments: tuple[int, ...]  # always at least 3, padded with zeros
    prerelease: str = ""
    written_segments: int = 3  # how many segments the text had (``~>`` depends on it)

    @classmethod
    def parse(cls, text: str) -> Version:
        m = _VERSION.fullmatch(text.strip())
        if not m:
            raise VersionError(f"Malformed version: {text}")
        segs = tuple(int(s) for s in m["segs"].split("."))
        return cls(segs + (0,) * (3 - len(segs)), m["pre"] or "", len(segs))

    def __str__(self) -> str:
        core = ".".join(str(s) for s in self.segments)
        return f"{core}-{self.prerelease}" if self.prerelease else core

    def _key(self) -> tuple[tuple[int, ...], int, tuple[tuple[int, int | str], ...]]:
        # A prerelease sorts before its release; prerelease identifiers compare numerically or lexically.
        pre = tuple((0, int(p)) if p.isdigit() else (1, p) for p in self.prerelease.split(".") if p)
        return self.segments, 0 if self.prerelease else 1, pre  # type: ignore[return-value]

    def compare(self, other: Version) -> int:
        a, b = self._key(), other._key()
        if a[0] != b[0]:
            return -1 if a[0] < b[0] else 1
        if a[1] != b[1]:
            return -1 if a[1] < b[1] else 1
        for x, y in zip(a[2], b[2], strict=False):
            if x != y:
                if x[0] != y[0]:
                    return -1 if x[0] < y[0] else 1
                return -1 if x[1] < y[1] else 1  # type: ignore[operator]
        return (len(a[2]) > len(b[2])) - (len(a[2]) < len(b[2]))


@dataclass(frozen=True)
class Constraint:
    op: str
    version: Version

    def check(self, v: Version) -> bool:
        # go-version: a prerelease version only satisfies a constraint naming a prerelease of the
        # same major.minor.patch.
        if v.prerelease and (not self.version.prerelease or v.segments != self.version.segments):
            return False
        c = v.compare(self.version)
        if self.op in ("", "="):
            return c == 0
        if self.op == "!=":
            return c != 0
        if self.op == ">":
            return c > 0
        if self.op == "<":
            return c < 0
        if self.op == ">=":
            return c >= 0
        if self.op == "<=":
            return c <= 0
        # "~>": at least this version, and the same segments except the last one written.
        if c < 0:
            return False
        n = max(self.version.written_segments, 2) - 1
        return v.segments[:n] == self.version.segments[:n]


@dataclass(frozen=True)
class Constraints:
    items: tuple[Constraint, ...]

    @classmethod
    def parse(cls, text: str) -> Constraints:
        items = []
        for part in text.split(","):
            m = _CONSTRAINT.fullmatch(part)
            if not m:
                raise VersionError(f"Malformed constraint: {part.strip()}")
            try:
                items.append(Constraint(m["op"] or "", Version.parse(m["ver"])))
            except VersionError:
                raise VersionError(f"Malformed constraint: {part.strip()}") from None
        return cls(tuple(items))

    def check(self, version: str | Version) -> bool:
        v = Version.parse(version) if isinstance(version, str) else version
        return all(c.check(v) for c in self.items)

    def __str__(self) -> str:
        return ", ".join(f"{c.op} {c.version}".strip() for c in self.items)
