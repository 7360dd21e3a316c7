"""amazon-ebs end to end: the real kiln CLI, the plugin process, moto (server mode) and a real sshd that
admits the key pairs existing in moto. The tutorial build with `required_plugins` (which Packer 1.6.6 does
not know); the failing provisioner, -on-error=abort and ssh_keypair_name cases are in test_ebs_vs_packer.py,
against Packer."""

from __future__ import annotations

import json
from pathlib import Path

from tests.aws_fixture import AwsFixture
from tests.e2e.cli import run_kiln
from tests.plugins.amazon.helpers import (
    REQUIRED,
    build,
    build_block,
    inventory,
    journal_entries,
    kiln_env,
    nothing_left,
    source_block,
    write_template,
)
from tests.sshd_fixture import SSHServer

TUTORIAL_EXTRA = '''
  ami_regions   = ["us-east-1", "eu-west-1"]
  tags = {
    OS_Version    = "Ubuntu"
    Release       = "Latest"
    Base_AMI_Name = "{{ .SourceAMIName }}"
    Region        = "{{ .BuildRegion }}"
  }
  snapshot_tags = {
    Snapshot_Of = "{{ .SourceAMI }}"
  }
'''


def test_tutorial_build_makes_three_tagged_amis_and_cleans_up(cloud: AwsFixture, keys_sshd: SSHServer,
                                                               tmp_path: Path) -> None:
    template = write_template(tmp_path, REQUIRED, source_block(cloud, keys_sshd, extra=TUTORIAL_EXTRA), build_block(
        provisioner='inline = ["echo src=${build.SourceAMIName} region=${build.BuildRegion} owner=${build.SourceAMIOwner}"]',
        post='  post-processor "manifest" {\n    output = "manifest.json"\n  }\n'))
    run = build(cloud, tmp_path, template)
    assert run.code == 0, run.out + run.err
    out = run.out
    # Packer's step lines, in Packer's order
    order = ["Prevalidating any provided VPC information", "Prevalidating AMI Name: learn-packer-linux-aws-",
             "Found Image ID: ami-785db401", "Creating temporary keypair: packer_",
             "Creating temporary security group for this instance: packer_",
             f"Authorizing access to port {keys_sshd.port} from [0.0.0.0/0] in the temporary security groups...",
             "Launching a source AWS instance...", "Instance ID: i-", "to become ready...",
             "Using ssh communicator to connect: 127.0.0.1", "Connected to SSH!",
             "src=ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-20170721 region=us-west-2 owner=099720109477",
             "Stopping the source instance...", "Waiting for the instance to stop...", "Creating AMI ",
             "Waiting for AMI to become ready...", "Copying/Encrypting AMI (", "Copying to: us-east-1",
             "Copying to: eu-west-1", "Waiting for all copies to complete...", "Adding tags to AMI (",
             "Terminating the source AWS instance...", "Deleting temporary security group...",
             "Deleting temporary keypair...", "Running post-processor:"]
    at = 0
    for line in order:
        found = out.find(line, at)
        assert found >= 0, f"{line!r} missing (or out of order) in:\n{out}"
        at = found
    assert "Adding tag: \"Region\": \"us-west-2\"" in out
    inv = inventory(cloud)
    images = inv["images"]
    assert sorted(i["region"] for i in images.values()) == ["eu-west-1", "us-east-1", "us-west-2"]
    for image in images.values():
        assert image["tags"] == {"OS_Version": "Ubuntu", "Release": "Latest", "Region": "us-west-2",
                                 "Base_AMI_Name": "ubuntu/images/hvm-ssd/ubuntu-xenial-16.04-amd64-server-20170721"}
        assert image["snapshots"], image
        for snap in image["snapshots"]:
            # as Packer: a snapshot gets the AMI's tags, then snapshot_tags
            assert inv["snapshots"][snap]["tags"] == {**image["tags"], "Snapshot_Of": "ami-785db401"}
    assert inv["instances"] == [] and inv["key_pairs"] == [] and inv["groups"] == []
    # the artifact, as Packer prints it, and the manifest entry
    artifact_id = ",".join(sorted(f"{i['region']}:{ami}" for ami, i in images.items()))
    listing = "\n".join(sorted(f"{i['region']}: {ami}" for ami, i in images.items()))
    assert f"--> learn-packer.amazon-ebs.ubuntu: AMIs were created:\n{listing}\n" in out
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    entry = manifest["builds"][0]
    assert entry["artifact_id"] == artifact_id
    assert entry["builder_type"] == "amazon-ebs" and entry["name"] == "ubuntu" and entry["files"] is None
    assert journal_entries(tmp_path) == []  # everything created was cleaned up or delivered
    assert not list((tmp_path / "journal").glob("*.journal"))


def test_skip_create_ami_provisions_and_leaves_nothing(cloud: AwsFixture, keys_sshd: SSHServer,
                                                      tmp_path: Path) -> None:
    """skip_create_ami (newer than Packer 1.6.6): the instance is launched and provisioned, no AMI is made
    (nor copied), everything is cleaned up, the build succeeds with no artifact."""
    extra = '  skip_create_ami = true\n  ami_regions = ["us-east-1"]\n  tags = { A = "b" }\n'
    template = write_template(tmp_path, source_block(cloud, keys_sshd, extra=extra),
                              build_block(provisioner='inline = ["echo provisioned-without-ami"]'))
    run = build(cloud, tmp_path, template)
    assert run.code == 0, run.out + run.err
    assert "provisioned-without-ami" in run.out and "Skipping AMI creation..." in run.out
    assert "skip_create_ami was set; not prevalidating AMI name" in run.out  # the newer plugin's lines
    assert "Skipping AMI region copy..." in run.out and "Skipping AMI create tags..." in run.out
    assert "Prevalidating AMI Name" not in run.out and "Creating AMI" not in run.out
    assert "Builds finished but no artifacts were created." in run.out
    calls = cloud.ec2_calls()
    assert "CreateImage" not in calls and "CopyImage" not in calls and "CreateTags" not in calls
    assert "StopInstances" in calls  # Packer stops the instance before the (skipped) AMI step
    assert nothing_left(inventory(cloud)), inventory(cloud)
    assert journal_entries(tmp_path) == []


def test_the_open_security_group_warning_names_what_narrows_it(cloud: AwsFixture, keys_sshd: SSHServer,
                                                                tmp_path: Path) -> None:
    template = write_template(tmp_path, source_block(cloud, keys_sshd), build_block())
    run = run_kiln(["validate", str(template)], tmp_path, env=kiln_env(cloud, tmp_path))
    assert run.code == 0, run.out
    assert run.out.count("Warning: ") == 1
    flat = " ".join(run.out.split())
    assert (f"Warning: The temporary security group will allow SSH (port {keys_sshd.port}) from 0.0.0.0/0" in flat
            and "temporary_security_group_source_cidrs" in flat and "temporary_security_group_source_public_ip" in flat
            and "security_group_ids" in flat and "security_group_filter" in flat), run.out
    narrowed = source_block(cloud, keys_sshd, extra='  temporary_security_group_source_cidrs = ["127.0.0.1/32"]\n')
    template.write_text(narrowed + build_block())
    run = run_kiln(["validate", str(template)], tmp_path, env=kiln_env(cloud, tmp_path))
    assert run.code == 0 and "Warning" not in run.out, run.out
    assert cloud.calls == []  # validate asks nothing of AWS
