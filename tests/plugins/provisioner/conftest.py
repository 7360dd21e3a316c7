"""The real-sshd fixtures (tests/sshd_fixture.py) for the shell and file provisioner tests."""

from tests.sshd_fixture import ssh_password_user, sshd, sshd_factory  # noqa: F401
