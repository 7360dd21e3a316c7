"""Fixtures for the amazon plugin: moto (behind the counting proxy) and an sshd that admits moto's key pairs."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator

import pytest

from tests.aws_fixture import AwsFixture, aws  # noqa: F401  (pytest fixture)
from tests.plugins.amazon.helpers import REGIONS, reset_cloud
from tests.sshd_fixture import SSHServer, start_cloud_keys_sshd


@pytest.fixture(scope="session")
def keys_sshd(aws: AwsFixture) -> Iterator[SSHServer]:  # noqa: F811
    work = tempfile.mkdtemp(prefix="kiln-keys-sshd-")
    server = start_cloud_keys_sshd(work, aws.moto_url, list(REGIONS))
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def cloud(aws: AwsFixture) -> AwsFixture:  # noqa: F811
    """moto, empty again (reset between tests), with an empty call log."""
    return reset_cloud(aws)
