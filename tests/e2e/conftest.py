"""End-to-end fixtures."""

from __future__ import annotations

import shutil

import pytest

from tests.sshd_fixture import ssh_password_user  # noqa: F401  (a fixture: test_orphans logs in as another user)


@pytest.fixture(scope="session")
def packer() -> str:
    """Debian's Packer 1.6.6, the oracle. `make deps` installs it; without it these tests fail, not skip."""
    path = shutil.which("packer")
    assert path, "Debian's packer (1.6.6) is not installed: run `make deps` (apt-get install packer)"
    return path
