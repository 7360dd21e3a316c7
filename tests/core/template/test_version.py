from __future__ import annotations

import pytest
from kiln.template.version import Constraints, Version, VersionError


@pytest.mark.parametrize(
    ("constraint", "version", "ok"),
    [
        (">= 1.7.0", "1.6.6", False),
        ("~> 1.6", "1.6.6", True),
        ("~> 1.6", "1.9.0", True),
        ("~> 1.6", "2.0.0", False),
        ("~> 1.5.0", "1.6.6", False),
        ("~> 1.6.0", "1.6.6", True),
        (">=1.0, <2", "1.6.6", True),
        ("!= 1.6.6", "1.6.6", False),
        ("1.6.6", "1.6.6", True),
        ("= 1.6", "1.6.0", True),
        ("> 1.6.6-beta", "1.6.6", True),
        (">= 1.0", "1.7.0-dev", False),
        (">= 1.7.0-alpha", "1.7.0-dev", True),
        ("< 1.6.6", "1.6.6-rc1", False),
    ],
)
def test_constraints(constraint: str, version: str, ok: bool) -> None:
    assert Constraints.parse(constraint).check(version) is ok


@pytest.mark.parametrize("bad", ["bogus", ">= ", "~> 1.x", ">=1,,<2"])
def test_malformed(bad: str) -> None:
    with pytest.raises(VersionError):
        Constraints.parse(bad)


def test_prerelease_ordering() -> None:
    assert Version.parse("1.0.0-alpha").compare(Version.parse("1.0.0")) < 0
    assert Version.parse("1.0.0-alpha.2").compare(Version.parse("1.0.0-alpha.10")) < 0
    assert Version.parse("1.0.0-beta").compare(Version.parse("1.0.0-alpha")) > 0
