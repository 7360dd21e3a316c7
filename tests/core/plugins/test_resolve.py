"""Which plugin satisfies a requirement: the locked version, else the newest allowed install, else a
bundled distribution standing for its major line; otherwise missing (build and validate stop)."""

from __future__ import annotations

from pathlib import Path

from kiln.plugins.constraints import parse_constraints
from kiln.plugins.lockfile import LockEntry
from kiln.plugins.requirements import Requirement
from kiln.plugins.resolve import Bundled, required_choices, resolve

from tests.core.plugins.test_installed import HEX, make

HELLO = "example.com/example/hello"
AMAZON = "github.com/hashicorp/amazon"
BUNDLED = {AMAZON: Bundled("amazon", AMAZON, "1.0.0")}


def req(source: str, constraint: str, name: str = "") -> dict[str, Requirement]:
    name = name or source.rsplit("/", 1)[-1]
    return {name: Requirement(name, source, parse_constraints(constraint))}


def test_newest_allowed_install(tmp_path: Path) -> None:
    for v in ("0.1.0", "0.2.0", "1.0.0"):
        make(tmp_path, version=v)
    env = {"KILN_PLUGIN_PATH": str(tmp_path)}
    r = resolve(req(HELLO, "< 1"), env, {}, BUNDLED)
    assert r.ok and r.choices["hello"].version == "0.2.0" and r.choices["hello"].install is not None
    assert required_choices(r) == {"hello": tmp_path / HELLO / "0.2.0/venv/bin/kiln-plugin-hello"}


def test_the_lock_wins_over_a_newer_install(tmp_path: Path) -> None:
    for v in ("0.1.0", "0.2.0"):
        make(tmp_path, version=v)
    env = {"KILN_PLUGIN_PATH": str(tmp_path)}
    lock = {HELLO: LockEntry(HELLO, "0.1.0", ">= 0.1", (f"sha256:{HEX}",))}
    r = resolve(req(HELLO, ">= 0.1"), env, lock, {})
    assert r.ok and r.choices["hello"].version == "0.1.0"


def test_hash_mismatch_is_refused(tmp_path: Path) -> None:
    make(tmp_path)
    lock = {HELLO: LockEntry(HELLO, "0.1.0", ">= 0.1", ("sha256:" + "0" * 64,))}
    r = resolve(req(HELLO, ">= 0.1"), {"KILN_PLUGIN_PATH": str(tmp_path)}, lock, {})
    assert not r.ok and not r.missing
    (d,) = r.diagnostics()
    assert d.summary == "Installed plugin does not match the lock file" and f"{HELLO} 0.1.0" in d.detail


def test_locked_version_outside_the_constraints(tmp_path: Path) -> None:
    make(tmp_path)
    lock = {HELLO: LockEntry(HELLO, "0.1.0", ">= 0.1", (f"sha256:{HEX}",))}
    r = resolve(req(HELLO, ">= 0.2"), {"KILN_PLUGIN_PATH": str(tmp_path)}, lock, {})
    (d,) = r.diagnostics()
    assert d.summary == "Locked plugin version does not match the constraints" and "kiln init -upgrade" in d.detail


def test_locked_version_not_installed_is_missing(tmp_path: Path) -> None:
    make(tmp_path)
    lock = {HELLO: LockEntry(HELLO, "0.3.0", ">= 0.1", (f"sha256:{HEX}",))}
    r = resolve(req(HELLO, ">= 0.1"), {"KILN_PLUGIN_PATH": str(tmp_path)}, lock, {}, tmp_path / ".kiln.lock.hcl")
    assert r.missing == [f"{HELLO} >= 0.1 (version 0.3.0, locked in {tmp_path}/.kiln.lock.hcl)"]
    (d,) = r.diagnostics()
    assert d.summary == "Missing plugins" and d.detail.endswith("\nDid you run kiln init for this project ?")


def test_bundled_distributions_stand_for_their_major_line(tmp_path: Path) -> None:
    env = {"KILN_PLUGIN_PATH": str(tmp_path)}
    for constraint in ("~> 1", ">= 1.2.8", ">= 0.0.7", "= 1.4.2"):
        r = resolve(req(AMAZON, constraint), env, {}, BUNDLED)
        assert r.ok and r.choices["amazon"].bundled == BUNDLED[AMAZON], constraint
    assert required_choices(resolve(req(AMAZON, "~> 1", "aws"), env, {}, BUNDLED)) == {"aws": "amazon"}
    for constraint in (">= 2", "~> 0.9"):
        assert resolve(req(AMAZON, constraint), env, {}, BUNDLED).missing == [f"{AMAZON} {constraint}"]
    locked = {AMAZON: LockEntry(AMAZON, "1.0.0", "~> 1")}
    assert resolve(req(AMAZON, "~> 1"), env, locked, BUNDLED).ok
    stale = {AMAZON: LockEntry(AMAZON, "1.1.0", "~> 1")}  # kiln's bundled version changed since
    assert resolve(req(AMAZON, "~> 1"), env, stale, BUNDLED).missing


def test_an_install_is_preferred_to_the_bundled_distribution(tmp_path: Path) -> None:
    make(tmp_path, source=AMAZON, version="1.5.0")
    r = resolve(req(AMAZON, "~> 1"), {"KILN_PLUGIN_PATH": str(tmp_path)}, {}, BUNDLED)
    assert r.choices["amazon"].install is not None and r.choices["amazon"].version == "1.5.0"
