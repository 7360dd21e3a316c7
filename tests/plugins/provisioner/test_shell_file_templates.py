"""Real templates through the real ``kiln build`` CLI against real sshds, with Packer 1.6.6 as the oracle.

The null builder connects (key, password, or through a bastion); shell and file provisioners change the
host's files; kiln's output must equal Packer's (after normalising temporary names and durations).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.cli import Run, run_kiln, run_packer
from tests.sshd_fixture import SSHServer

# Drops the SSH connection as a reboot would: kill the nearest sshd ancestor (this session's process).
REBOOT = ('pid=$$; while [ \\"$pid\\" -gt 1 ]; do case \\"$(ps -o comm= -p $pid)\\" in sshd*) kill -9 $pid; break;; '
          'esac; pid=$(ps -o ppid= -p $pid | tr -d \' \'); done')


def _normalise(text: str) -> str:
    text = re.sub(r"packer-shell\w+", "packer-shell*", text)
    return re.sub(r"after (\d+ (hours?|minutes?|seconds?|milliseconds?|microseconds?|nanoseconds?) ?)+", "after T ", text)


def _source(ssh: str) -> str:
    return f'source "null" "host" {{\n  communicator = "ssh"\n{ssh}\n  ssh_timeout = "10s"\n}}\n'


def _build(sshd: SSHServer, tmp_path: Path, ssh: str, provisioners: str,
           before: Callable[[], None] | None = None) -> tuple[Run, Run]:
    """Run the template with kiln, then with Packer (``before`` resets the host's state each time)."""
    (tmp_path / "t.pkr.hcl").write_text(_source(ssh) + f'build {{\n  sources = ["source.null.host"]\n{provisioners}}}\n')
    runs = []
    for runner in (run_kiln, run_packer):
        if before is not None:
            before()
        runs.append(runner(["build", "-color=false", "t.pkr.hcl"], tmp_path))
    return runs[0], runs[1]


def _key_login(sshd: SSHServer) -> str:
    return (f'  ssh_host = "127.0.0.1"\n  ssh_port = {sshd.port}\n  ssh_username = "root"\n'
            f'  ssh_private_key_file = "{sshd.client_key}"')


def test_shells_and_files(sshd: SSHServer, tmp_path: Path, packer: str) -> None:
    site = tmp_path / "site"
    (site / "conf" / "deep").mkdir(parents=True)
    (site / "conf" / "deep" / "app.conf").write_text("port=80\n")
    (site / "index.html").write_text("<h1>kiln</h1>\n")
    blob = tmp_path / "blob.bin"
    blob.write_bytes(os.urandom(8 * 1024 * 1024 + 3))
    (tmp_path / "setup.sh").write_text('#!/bin/sh\necho "script: $ROLE on $PACKER_BUILDER_TYPE"\n')
    remote = tmp_path / "remote"
    provisioners = f'''
  provisioner "shell" {{
    inline = ["echo \\"inline: $GREETING, $WHO\\"", "echo to-stderr >&2", "echo $GREETING > {remote}/greeting"]
    environment_vars = ["GREETING=hello world", "WHO=it's me"]
  }}
  provisioner "shell" {{
    script = "setup.sh"
    environment_vars = ["ROLE=web"]
  }}
  provisioner "shell" {{
    inline = ["exit 3"]
    valid_exit_codes = [0, 3]
  }}
  provisioner "file" {{
    source = "site"
    destination = "{remote}"
  }}
  provisioner "file" {{
    source = "blob.bin"
    destination = "{remote}/"
  }}
  provisioner "shell" {{
    inline = ["cat {remote}/site/conf/deep/app.conf"]
  }}
  provisioner "file" {{
    source = "{remote}/site/"
    destination = "downloaded/"
    direction = "download"
  }}
'''

    def reset() -> None:
        shutil.rmtree(remote, ignore_errors=True)
        shutil.rmtree(tmp_path / "downloaded", ignore_errors=True)
        remote.mkdir()

    kiln, oracle = _build(sshd, tmp_path, _key_login(sshd), provisioners, reset)
    assert oracle.code == 0, oracle.out + oracle.err
    assert kiln.code == 0, kiln.out + kiln.err
    # stdout and stderr are two streams: where the stderr line falls among stdout lines is a race (in Packer too)
    stderr_line = "==> null.host: to-stderr\n"
    assert _normalise(kiln.out).replace(stderr_line, "") == _normalise(oracle.out).replace(stderr_line, "")
    for line in ("    null.host: inline: hello world, it's me", "==> null.host: to-stderr",
                 "    null.host: script: web on null", "    null.host: port=80"):
        assert line in kiln.out
    assert (remote / "greeting").read_text() == "hello world\n"
    assert (remote / "site" / "conf" / "deep" / "app.conf").read_text() == "port=80\n"
    assert hashlib.sha256((remote / "blob.bin").read_bytes()).digest() == hashlib.sha256(blob.read_bytes()).digest()
    assert (tmp_path / "downloaded" / "site" / "index.html").read_text() == "<h1>kiln</h1>\n"


def test_reboot_with_expect_disconnect(sshd: SSHServer, tmp_path: Path) -> None:
    # kiln only: under heavy load Packer 1.6.6 itself sometimes hangs after the disconnect (seen here).
    marker = tmp_path / "after-reboot"
    (tmp_path / "t.pkr.hcl").write_text(_source(_key_login(sshd)) + f'''build {{
  sources = ["source.null.host"]
  provisioner "shell" {{
    inline = ["echo rebooting", "{REBOOT}", "sleep 5"]
    expect_disconnect = true
  }}
  provisioner "shell" {{
    inline = ["echo back after the reboot", "touch {marker}"]
  }}
}}
''')
    kiln = run_kiln(["build", "-color=false", "t.pkr.hcl"], tmp_path)
    assert kiln.code == 0, kiln.out + kiln.err
    assert "    null.host: rebooting\n" in kiln.out and "    null.host: back after the reboot\n" in kiln.out
    assert marker.exists()


def test_failing_script_fails_the_build_like_packer(sshd: SSHServer, tmp_path: Path, packer: str) -> None:
    kiln, oracle = _build(sshd, tmp_path, _key_login(sshd),
                          '  provisioner "shell" {\n    inline = ["echo about to fail", "exit 7"]\n  }\n')
    assert kiln.code == oracle.code == 1
    assert "Script exited with non-zero exit status: 7.Allowed exit codes are: [0]" in kiln.out
    assert _normalise(kiln.out) == _normalise(oracle.out)


def test_password_login(sshd: SSHServer, ssh_password_user: tuple[str, str], tmp_path: Path, packer: str) -> None:
    user, password = ssh_password_user
    ssh = f'  ssh_host = "127.0.0.1"\n  ssh_port = {sshd.port}\n  ssh_username = "{user}"\n  ssh_password = "{password}"'
    kiln, oracle = _build(sshd, tmp_path, ssh,
                          '  provisioner "shell" {\n    inline = ["id -un", "touch ~/made-by-template"]\n  }\n')
    assert kiln.code == 0 and oracle.code == 0, kiln.out + kiln.err
    assert f"    null.host: {user}" in kiln.out
    assert Path(f"/home/{user}/made-by-template").exists()


def test_bastion_hop(sshd: SSHServer, sshd_factory: Callable[[], SSHServer], tmp_path: Path, packer: str) -> None:
    bastion = sshd_factory()
    ssh = (_key_login(sshd) + f'\n  ssh_bastion_host = "127.0.0.1"\n  ssh_bastion_port = {bastion.port}\n'
           f'  ssh_bastion_username = "root"\n  ssh_bastion_private_key_file = "{bastion.client_key}"')
    kiln, oracle = _build(sshd, tmp_path, ssh, '  provisioner "shell" {\n    inline = ["echo through the bastion"]\n  }\n')
    assert kiln.code == 0 and oracle.code == 0, kiln.out + kiln.err
    assert "    null.host: through the bastion" in kiln.out
    assert bastion.log.count("Accepted publickey for root") >= 2  # kiln's hop and Packer's


@pytest.fixture
def packer() -> str:
    path = shutil.which("packer")
    assert path, "Debian's packer (1.6.6) is not installed: run `make deps` (apt-get install packer)"
    return path
