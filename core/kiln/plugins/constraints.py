"""HashiCorp version constraints, as hashicorp/go-version reads and checks them.

A version is ``[v]N(.N)*`` with an optional pre-release (``-beta.1``, or ``beta`` glued on: ``1.0beta``)
and build metadata (``+abc``, ignored when comparing). Fewer than three segments are padded with zeros
(``1.2`` is ``1.2.0``) but ``~>`` remembers how many were written. A constraint is a comma-separated
list (all must hold) of ``OP VERSION`` with OP one of ``=`` (or none), ``!=``, ``>``, ``>=``, ``<``,
``<=``, ``~>``. Pre-releases, as go-version: a constraint without a pre-release never matches a
pre-release; a constraint with one matches pre-releases of the same ``major.minor.patch`` only (and
``~>`` with a pre-release matches no release at all).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Constraint", "ConstraintError", "Constraints", "Version", "newest_allowed", "parse_constraints",
           "parse_version"]

_WS = "[ \t\n\f\r]*"  # Go's \s
_VERSION_RAW = (
    r"v?([0-9]+(\.[0-9]+)*?)"
    r"(-([0-9]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)|(-?([A-Za-z\-~]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)))?"
    r"(\+([0-9A-Za-z\-~]+(\.[0-9A-Za-z\-~]+)*))?"
)
_VERSION = re.compile(f"^{_VERSION_RAW}$")
_OPS = ("~>", ">=", "<=", "!=", "=", ">", "<", "")
_CONSTRAINT = re.compile(f"^{_WS}({'|'.join(re.escape(o) for o in _OPS)}){_WS}({_VERSION_RAW}){_WS}$")
_INT64_MAX = 2**63 - 1


class ConstraintError(ValueError):
    """A malformed version or version constraint; the message names the bad part."""


@dataclass(frozen=True)
class Version:
    segments: tuple[int, ...]  # at least three (padded with zeros)
    written: int  # how many segments the text had (``~>`` depends on it)
    prerelease: str = ""
    metadata: str = ""
    original: str = field(default="", compare=False)

    def __str__(self) -> str:
        text = ".".join(str(s) for s in self.segments)
        if self.prerelease:
            text += f"-{self.prerelease}"
        if self.metadata:
            text += f"+{self.metadata}"
        return text

    def compare(self, other: Version) -> int:
        """-1, 0 or 1, as go-version's Compare: segments (missing ones are zeros), then pre-release (a
        release sorts after its pre-releases); metadata is ignored."""
        if self.segments == other.segments:
            if self.prerelease == other.prerelease:
                return 0
            if not self.prerelease:
                return 1
            if not other.prerelease:
                return -1
            return _compare_prereleases(self.prerelease, other.prerelease)
        width = max(len(self.segments), len(other.segments))
        a = self.segments + (0,) * (width - len(self.segments))
        b = other.segments + (0,) * (width - len(other.segments))
        return (a > b) - (a < b)

    def __lt__(self, other: Version) -> bool:
        return self.compare(other) < 0


Bound = tuple[Version, bool]  # (version, inclusive)


def _compare_part(a: str, b: str) -> int:
    if a == b:
        return 0
    a_num, b_num = a.isdigit(), b.isdigit()
    if a == "":
        return -1 if b_num else 1
    if b == "":
        return 1 if a_num else -1
    if a_num and not b_num:
        return -1
    if b_num and not a_num:
        return 1
    if not a_num:
        return 1 if a > b else -1
    return 1 if int(a) > int(b) else -1


def _compare_prereleases(a: str, b: str) -> int:
    pa, pb = a.split("."), b.split(".")
    for i in range(max(len(pa), len(pb))):
        c = _compare_part(pa[i] if i < len(pa) else "", pb[i] if i < len(pb) else "")
        if c:
            return c
    return 0


def parse_version(text: str) -> Version:
    m = _VERSION.match(text)
    if m is None:
        raise ConstraintError(f"Malformed version: {text}")
    parts = m[1].split(".")
    segments = tuple(int(p) for p in parts)
    if any(s > _INT64_MAX for s in segments):
        raise ConstraintError(f"Malformed version: {text} (a segment is out of range)")
    return Version(segments + (0,) * (3 - len(segments)), len(parts), m[7] or m[4] or "", m[10] or "", text)


@dataclass(frozen=True)
class Constraint:
    op: str  # "=" for a bare version
    version: Version
    original: str  # as written, spaces included (go-version's String)

    def allows(self, v: Version) -> bool:
        c = self.version
        if self.op == "=":
            return v.compare(c) == 0
        if self.op == "!=":
            return v.compare(c) != 0
        if not _prerelease_ok(v, c):
            return False
        cmp = v.compare(c)
        if self.op == ">":
            return cmp > 0
        if self.op == ">=":
            return cmp >= 0
        if self.op == "<":
            return cmp < 0
        if self.op == "<=":
            return cmp <= 0
        return _pessimistic(v, c)


def _prerelease_ok(v: Version, c: Version) -> bool:
    if v.prerelease and c.prerelease:
        return v.segments == c.segments
    return not v.prerelease  # a constraint without a pre-release never matches one


def _pessimistic(v: Version, c: Version) -> bool:
    if c.prerelease and not v.prerelease:
        return False
    if v.compare(c) < 0 or len(c.segments) > len(v.segments):
        return False
    if v.segments[: c.written - 1] != c.segments[: c.written - 1]:
        return False
    return c.segments[-1] <= v.segments[len(c.segments) - 1]


@dataclass(frozen=True)
class Constraints:
    items: tuple[Constraint, ...]

    def allows(self, version: str | Version) -> bool:
        """Whether ``version`` meets every constraint (a malformed version meets none)."""
        if isinstance(version, str):
            try:
                version = parse_version(version)
            except ConstraintError:
                return False
        return all(c.allows(version) for c in self.items)

    def allows_release_of_major(self, major: int) -> bool:
        """Whether some release (no pre-release) ``major.x.y…`` meets every constraint: what a bundled
        plugin that stands for a whole major line (``github.com/hashicorp/amazon`` 1.x) is checked with."""
        lo: Bound = (parse_version(str(major)), True)
        hi: Bound = (parse_version(str(major + 1)), False)
        points: list[Version] = []
        excluded: list[Version] = []
        for c in self.items:
            v = c.version
            if c.op in ("=", "~>") and v.prerelease:
                return False  # no release equals a pre-release; ~> with a pre-release allows no release
            if c.op == "=":
                points.append(v)
            elif c.op == "!=":
                excluded.append(v)
            elif c.op in (">", ">="):
                lo = _higher_lower(lo, (v, c.op == ">="))
            elif c.op in ("<", "<="):
                hi = _lower_upper(hi, (v, c.op == "<="))
            else:  # ~> 1.2 is >= 1.2, < 2; ~> 1.2.3 is >= 1.2.3, < 1.3; ~> 1 is >= 1
                lo = _higher_lower(lo, (v, True))
                if v.written >= 2:
                    head = v.segments[: v.written - 1]
                    bound = ".".join(str(s) for s in (*head[:-1], head[-1] + 1))
                    hi = _lower_upper(hi, (parse_version(bound), False))
        for p in points:
            if not (_above(p, lo) and _below(p, hi)):
                return False
            lo, hi = (p, True), (p, True)
        if lo[0].compare(hi[0]) < 0:
            return True  # versions are dense (1.2.8 < 1.2.8.1 < 1.2.9): an open interval is never empty
        if lo[0].compare(hi[0]) == 0 and lo[1] and hi[1]:
            return all(lo[0].compare(x) != 0 for x in excluded)
        return False

    def __str__(self) -> str:
        return ",".join(c.original for c in self.items)


def _higher_lower(a: Bound, b: Bound) -> Bound:
    c = a[0].compare(b[0])
    return a if c > 0 or (c == 0 and not a[1]) else b  # of two equal lower bounds the exclusive one is higher


def _lower_upper(a: Bound, b: Bound) -> Bound:
    c = a[0].compare(b[0])
    return a if c < 0 or (c == 0 and not a[1]) else b


def _above(v: Version, lo: Bound) -> bool:
    c = v.compare(lo[0])
    return c > 0 or (c == 0 and lo[1])


def _below(v: Version, hi: Bound) -> bool:
    c = v.compare(hi[0])
    return c < 0 or (c == 0 and hi[1])


def parse_constraints(text: str) -> Constraints:
    """``">= 1.0, < 2"`` -> Constraints; raises ``ConstraintError`` naming the malformed part."""
    items = []
    for part in text.split(","):
        m = _CONSTRAINT.match(part)
        if m is None:
            shown = part.strip() or "(empty)"
            where = f' in "{text}"' if part.strip() != text.strip() else ""
            raise ConstraintError(f"Malformed constraint: {shown}{where}")
        items.append(Constraint(m[1] or "=", parse_version(m[2]), part))
    return Constraints(tuple(items))


def newest_allowed(constraints: Constraints, versions: Iterable[str]) -> str | None:
    """The newest of ``versions`` that ``constraints`` allow (malformed ones skipped), or None."""
    best: tuple[Version, str] | None = None
    for text in versions:
        try:
            v = parse_version(text)
        except ConstraintError:
            continue
        if constraints.allows(v) and (best is None or best[0].compare(v) < 0):
            best = (v, text)
    return best[1] if best else None
