"""The real-sshd fixtures (tests/sshd_fixture.py) for the communicator tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sshd_fixture import ssh_password_user, sshd, sshd_factory  # noqa: E402, F401
