"""The cleanup journal with amazon-ebs: SIGKILL kiln mid-build, then `kiln cleanup` removes what it left."""

from __future__ import annotations

import time
from pathlib import Path

from tests.aws_fixture import AwsFixture
from tests.e2e.cli import run_kiln
from tests.plugins.amazon.helpers import (
    build,
    build_block,
    inventory,
    journal_entries,
    kill_group,
    kiln_env,
    nothing_left,
    read_until,
    source_block,
    start_kiln,
    write_template,
)
from tests.sshd_fixture import SSHServer


def _wait_unlocked(tmp: Path, timeout: float = 20) -> None:
    """The killed plugin processes are gone once no journal file is locked any more."""
    import fcntl

    deadline = time.monotonic() + timeout
    for path in (tmp / "journal").glob("*.journal"):
        while True:
            with open(path) as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise AssertionError(f"{path} is still locked") from None
                    time.sleep(0.05)


def test_sigkill_mid_build_then_kiln_cleanup_leaves_nothing(cloud: AwsFixture, keys_sshd: SSHServer,
                                                            tmp_path: Path) -> None:
    template = write_template(tmp_path, source_block(cloud, keys_sshd),
                              build_block(provisioner='inline = ["echo provisioning-now", "sleep 60"]'))
    proc = start_kiln(cloud, tmp_path, template)
    try:
        read_until(proc, "provisioning-now")
    finally:
        kill_group(proc)  # kiln and its plugin processes, at once: no cleanup runs
        proc.wait()
    _wait_unlocked(tmp_path)
    inv = inventory(cloud)
    assert len(inv["instances"]) == 1 and len(inv["key_pairs"]) == 1 and len(inv["groups"]) == 1
    recorded = sorted(e["type"] for e in journal_entries(tmp_path))
    assert recorded == ["ec2-instance", "ec2-key-pair", "ec2-security-group"]
    for entry in journal_entries(tmp_path):
        assert "secret" not in str(entry).lower() and "kiln-test-secret-not-real" not in str(entry)

    dry = run_kiln(["cleanup", "-dry-run"], tmp_path, env=kiln_env(cloud, tmp_path))
    assert dry.code == 0, dry.out + dry.err
    assert "3 resource(s) would be removed" in dry.out and "ec2-instance i-" in dry.out
    assert len(inventory(cloud)["instances"]) == 1  # a dry run removes nothing

    done = run_kiln(["cleanup"], tmp_path, env=kiln_env(cloud, tmp_path))
    assert done.code == 0, done.out + done.err
    assert "==> 3 resource(s) removed." in done.out
    assert nothing_left(inventory(cloud)), inventory(cloud)
    assert journal_entries(tmp_path) == [] and not list((tmp_path / "journal").glob("*.journal"))
    again = run_kiln(["cleanup"], tmp_path, env=kiln_env(cloud, tmp_path))
    assert again.code == 0 and "Nothing to clean up" in again.out


def test_cleanup_after_on_error_abort(cloud: AwsFixture, keys_sshd: SSHServer, tmp_path: Path) -> None:
    template = write_template(tmp_path, source_block(cloud, keys_sshd), build_block(provisioner='inline = ["exit 1"]'))
    run = build(cloud, tmp_path, template, "-on-error=abort")
    assert run.code == 1
    assert not nothing_left(inventory(cloud))
    done = run_kiln(["cleanup"], tmp_path, env=kiln_env(cloud, tmp_path))
    assert done.code == 0, done.out + done.err
    assert nothing_left(inventory(cloud)), inventory(cloud)


def test_cleanup_keeps_what_it_cannot_remove(cloud: AwsFixture, keys_sshd: SSHServer, tmp_path: Path) -> None:
    template = write_template(tmp_path, source_block(cloud, keys_sshd), build_block(provisioner='inline = ["exit 1"]'))
    assert build(cloud, tmp_path, template, "-on-error=abort").code == 1
    cloud.inject("TerminateInstances", 400, "UnauthorizedOperation", times=10)
    failed = run_kiln(["cleanup"], tmp_path, env=kiln_env(cloud, tmp_path))
    assert failed.code == 1, failed.out
    assert "UnauthorizedOperation" in failed.out and "remain in the journal" in failed.out
    left = [e["type"] for e in journal_entries(tmp_path)]
    assert "ec2-instance" in left and "ec2-key-pair" not in left  # the others went; moto lets the group go too
    cloud.faults.clear()
    done = run_kiln(["cleanup"], tmp_path, env=kiln_env(cloud, tmp_path))
    assert done.code == 0, done.out
    assert nothing_left(inventory(cloud)), inventory(cloud)


TAGS = '''
  ami_regions = ["us-east-1", "eu-west-1"]
  tags = {
    Release = "Latest"
  }
'''


def test_sigkill_after_the_amis_are_made_then_kiln_cleanup_leaves_nothing(cloud: AwsFixture, keys_sshd: SSHServer,
                                                                          tmp_path: Path) -> None:
    """Killed while tagging: three AMIs (and their snapshots) in three regions, a stopped instance, the key
    pair and the group exist, all in the journal; kiln cleanup removes every one."""
    template = write_template(tmp_path, source_block(cloud, keys_sshd, extra=TAGS), build_block())
    held = cloud.hold("CreateTags")  # the proxy holds kiln's first CreateTags: the AMIs are copied by then
    proc = start_kiln(cloud, tmp_path, template)
    try:
        assert held.arrived.wait(120), "kiln never tagged its AMIs"
    finally:
        kill_group(proc)
        proc.wait()
        held.release.set()
    _wait_unlocked(tmp_path)
    inv = inventory(cloud)
    assert sorted(i["region"] for i in inv["images"].values()) == ["eu-west-1", "us-east-1", "us-west-2"]
    assert len(inv["snapshots"]) == 3 and len(inv["key_pairs"]) == 1 and len(inv["groups"]) == 1
    assert [state for _, _, state in inv["instances"]] == ["stopped"]
    assert sorted(e["type"] for e in journal_entries(tmp_path)) == [
        "ec2-image", "ec2-image", "ec2-image", "ec2-instance", "ec2-key-pair", "ec2-security-group"]

    done = run_kiln(["cleanup"], tmp_path, env=kiln_env(cloud, tmp_path))
    assert done.code == 0, done.out + done.err
    assert "==> 6 resource(s) removed." in done.out
    assert nothing_left(inventory(cloud)), inventory(cloud)  # the AMIs' snapshots went with them
    assert journal_entries(tmp_path) == []


def test_cleanup_after_a_spot_build_aborted(cloud: AwsFixture, keys_sshd: SSHServer, tmp_path: Path) -> None:
    """A spot build's launch template is in the journal too: abort leaves it with the instance, kiln cleanup
    removes both."""
    template = write_template(tmp_path, source_block(cloud, keys_sshd, extra='  spot_price = "auto"\n'),
                              build_block(provisioner='inline = ["exit 1"]'))
    run = build(cloud, tmp_path, template, "-on-error=abort")
    assert run.code == 1, run.out
    assert 'aborted: skipping cleanup of step "StepRunSpotInstance"' in run.out
    inv = inventory(cloud)
    assert len(inv["launch_templates"]) == 1 and len(inv["instances"]) == 1
    assert sorted(e["type"] for e in journal_entries(tmp_path)) == [
        "ec2-instance", "ec2-key-pair", "ec2-launch-template", "ec2-security-group"]
    done = run_kiln(["cleanup"], tmp_path, env=kiln_env(cloud, tmp_path))
    assert done.code == 0, done.out + done.err
    assert nothing_left(inventory(cloud)), inventory(cloud)
