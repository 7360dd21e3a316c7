"""HashiCorp version constraints: go-version's own test table (constraint_test.go, version_test.go),
kiln's extra cases, and the 'some release of a major line' check bundled plugins are matched with."""

from __future__ import annotations

import pytest
from kiln.plugins.constraints import ConstraintError, newest_allowed, parse_constraints, parse_version

GO_VERSION_CHECKS = [  # (constraint, version, allowed): go-version's TestConstraintCheck
    (">= 1.0, < 1.2", "1.1.5", True),
    ("< 1.0, < 1.2", "1.1.5", False),
    ("= 1.0", "1.1.5", False),
    ("= 1.0", "1.0.0", True),
    ("1.0", "1.0.0", True),
    ("~> 1.0", "2.0", False),
    ("~> 1.0", "1.1", True),
    ("~> 1.0", "1.2.3", True),
    ("~> 1.0.0", "1.2.3", False),
    ("~> 1.0.0", "1.0.7", True),
    ("~> 1.0.0", "1.1.0", False),
    ("~> 1.0.7", "1.0.4", False),
    ("~> 1.0.7", "1.0.7", True),
    ("~> 1.0.7", "1.0.8", True),
    ("~> 1.0.7", "1.0.7.5", True),
    ("~> 1.0.7", "1.0.6.99", False),
    ("~> 1.0.7", "1.0.8.0", True),
    ("~> 1.0.9.5", "1.0.9.5", True),
    ("~> 1.0.9.5", "1.0.9.4", False),
    ("~> 1.0.9.5", "1.0.9.6", True),
    ("~> 1.0.9.5", "1.0.9.5.0", True),
    ("~> 1.0.9.5", "1.0.9.5.1", True),
    ("~> 2.0", "2.1.0-beta", False),
    ("~> 2.1.0-a", "2.2.0", False),
    ("~> 2.1.0-a", "2.1.0", False),
    ("~> 2.1.0-a", "2.1.0-beta", True),
    ("~> 2.1.0-a", "2.2.0-alpha", False),
    ("> 2.0", "2.1.0-beta", False),
    (">= 2.1.0-a", "2.1.0-beta", True),
    (">= 2.1.0-a", "2.1.1-beta", False),
    (">= 2.0.0", "2.1.0-beta", False),
    (">= 2.1.0-a", "2.1.1", True),
    (">= 2.1.0-a", "2.1.0", True),
    ("<= 2.1.0-a", "2.0.0", True),
]

KILN_CHECKS = [
    ("~> 1", "1.9.9", True),  # one written segment: only the lower bound
    ("~> 1", "2.0.0", True),
    ("~> 1.2", "1.2.0", True),
    ("~> 1.2", "1.99", True),
    ("~> 1.2", "2.0.0", False),
    ("~> 1.2.3", "1.2.9", True),
    ("~> 1.2.3", "1.3.0", False),
    ("!= 1.3.0", "1.3.0", False),
    ("!= 1.3.0", "1.3.1", True),
    (">= 1, != 1.3.0, < 2", "1.3", False),
    ("v1.0", "1.0.0", True),
    (">=1.0,<2", "1.5", True),  # no spaces
    ("  >=  1.0  ", "1.0", True),
    ("= 1.0.0+meta", "1.0.0", True),  # build metadata is ignored
    ("> 1.0.0", "1.0.0+later", False),
    ("= 1.0.0-beta", "1.0.0-beta", True),
    (">= 1.0", "1.7.0-dev", False),  # no pre-release in the constraint: never a pre-release
    ("< 1.6.6", "1.6.6-rc1", False),
    ("> 1.6.6-beta", "1.6.6", True),
    ("!= 1.0.0", "1.1.0-beta", True),  # = and != do not apply the pre-release rule (as go-version)
    ("1.0beta", "1.0.0-beta", True),  # a pre-release glued on
]


@pytest.mark.parametrize(("constraint", "version", "allowed"), GO_VERSION_CHECKS + KILN_CHECKS)
def test_allows(constraint: str, version: str, allowed: bool) -> None:
    assert parse_constraints(constraint).allows(version) is allowed


@pytest.mark.parametrize(("text", "bad"), [
    (">= 1.x", ">= 1.x"), ("bogus", "bogus"), (">= ", ">="), ("", "(empty)"), (">= 1, ~> 2.x", '~> 2.x in ">= 1, ~> 2.x"'),
    (">=1,,<2", '(empty) in ">=1,,<2"'), ("=> 1.0", "=> 1.0"), ("~ 1.0", "~ 1.0"), ("1.0 2.0", "1.0 2.0"),
    ("11387778780781445675529500000000000000000", "11387778780781445675529500000000000000000"),
])
def test_malformed_constraints_name_the_bad_part(text: str, bad: str) -> None:
    with pytest.raises(ConstraintError) as info:
        parse_constraints(text)
    assert str(info.value).startswith(f"Malformed constraint: {bad}") or "out of range" in str(info.value)


def test_string_is_as_written() -> None:  # go-version's TestConstraintsString
    assert str(parse_constraints(">= 1.0, < 1.2")) == ">= 1.0, < 1.2"
    assert str(parse_constraints("~> 1.0.7")) == "~> 1.0.7"
    assert len(parse_constraints(">= 1.2, < 1.0").items) == 2


@pytest.mark.parametrize(("a", "b", "want"), [  # go-version's TestVersionCompare, TestComparePreReleases
    ("1.2.3", "1.4.5", -1), ("1.2-beta", "1.2-beta", 0), ("1.2", "1.1.4", 1), ("1.2", "1.2-beta", 1),
    ("1.2+foo", "1.2+beta", 0), ("v1.2", "v1.2-beta", 1), ("v1.2+foo", "v1.2+beta", 0),
    ("v1.2.3.4", "v1.2.3.4", 0), ("v1.2.0.0", "v1.2", 0), ("v1.2.0.0.1", "v1.2", 1), ("v1.2", "v1.2.0.0", 0),
    ("v1.2", "v1.2.0.0.1", -1), ("v1.2.0.0", "v1.2.0.0.1", -1), ("v1.2.3.0", "v1.2.3.4", -1),
    ("1.7rc2", "1.7rc1", 1), ("1.7rc2", "1.7", -1), ("1.2.0", "1.2.0-X-1.2.0+metadata~dist", 1),
    ("1.2-beta.2", "1.2-beta.2", 0), ("1.2-beta.1", "1.2-beta.2", -1), ("1.2-beta.2", "1.2-beta.11", -1),
    ("3.2-alpha.1", "3.2-alpha", 1), ("1.2-beta.2", "1.2-beta.1", 1), ("1.2-beta.11", "1.2-beta.2", 1),
    ("1.2-beta", "1.2-beta.3", -1), ("1.2-alpha", "1.2-beta.3", -1), ("1.2-beta", "1.2-alpha.3", 1),
    ("3.0-alpha.3", "3.0-rc.1", -1), ("3.0-alpha3", "3.0-rc1", -1), ("3.0-alpha.1", "3.0-alpha.beta", -1),
    ("5.4-alpha", "5.4-alpha.beta", 1), ("v1.2-beta.2", "v1.2-beta.2", 0), ("v1.2-beta.1", "v1.2-beta.2", -1),
    ("v3.2-alpha.1", "v3.2-alpha", 1),
])
def test_compare(a: str, b: str, want: int) -> None:
    assert parse_version(a).compare(parse_version(b)) == want


@pytest.mark.parametrize("text", ["", "1.", "1.2.", "foo", "1.x", "1.2.3 ", " 1.2.3", "1.2+", "1.0-+"])
def test_malformed_versions(text: str) -> None:
    with pytest.raises(ConstraintError, match="Malformed version"):
        parse_version(text)


def test_version_string_is_canonical() -> None:
    assert str(parse_version("v1.2")) == "1.2.0"
    assert str(parse_version("1.04.0-beta+x")) == "1.4.0-beta+x"


def test_newest_allowed() -> None:
    versions = ["0.9.0", "1.0.0", "1.3.0", "1.10.0", "2.0.0", "1.11.0-beta", "junk"]
    assert newest_allowed(parse_constraints("~> 1.0"), versions) == "1.10.0"
    assert newest_allowed(parse_constraints(">= 1.0, != 1.10.0, < 2"), versions) == "1.3.0"
    assert newest_allowed(parse_constraints(">= 3"), versions) is None
    assert newest_allowed(parse_constraints(">= 1.11.0-a"), versions) == "2.0.0"
    assert newest_allowed(parse_constraints("~> 1.11.0-a"), versions) == "1.11.0-beta"


@pytest.mark.parametrize(("constraint", "ok"), [
    ("~> 1", True), (">= 1.2.8", True), (">= 0.0.7", True), ("~> 1.2", True), ("= 1.4.2", True),
    (">= 2", False), ("< 1", False), ("~> 0.9", False), ("~> 2.0", False), ("> 1.9, < 1.9.0.0.1", True),
    ("> 1.9, < 1.9", False), (">= 1.5, <= 1.5", True), (">= 1.5, <= 1.5, != 1.5.0", False), ("= 1.0.0-rc1", False),
    ("~> 1.2.0-a", False), (">= 1.2.0-a", True), ("< 2.0.0-beta", True), ("> 1.99, < 2", True), ("= 2.0", False),
])
def test_allows_release_of_major(constraint: str, ok: bool) -> None:
    assert parse_constraints(constraint).allows_release_of_major(1) is ok
