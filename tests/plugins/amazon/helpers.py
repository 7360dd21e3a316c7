"""Templates and checks shared by the amazon plugin's tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.aws_fixture import AwsFixture
from tests.e2e.cli import KILN, Run, run_kiln
from tests.sshd_fixture import SSHServer

REGION = "us-west-2"
REGIONS = ("us-west-2", "us-east-1", "eu-west-1")
UBUNTU_OWNER = "099720109477"  # moto ships Canonical's xenial and trusty images under this owner


def source_block(aws: AwsFixture, sshd: SSHServer, *, name: str = "ubuntu", extra: str = "",
                 ami_name: str = "learn-packer-linux-aws-{{timestamp}}", endpoint: bool = True) -> str:
    """The tutorial's source (t2.micro in us-west-2, an Ubuntu source_ami_filter), pointed at moto + sshd."""
    endpoint_line = f'  custom_endpoint_ec2        = "{aws.endpoint}"\n  skip_credential_validation = true\n' \
        if endpoint else ""
    return f'''
source "amazon-ebs" "{name}" {{
  ami_name      = "{ami_name}"
  instance_type = "t2.micro"
  region        = "{REGION}"
{endpoint_line}  source_ami_filter {{
    filters = {{
      name                = "ubuntu/images/*ubuntu-xenial-16.04-amd64-server-*"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }}
    most_recent = true
    owners      = ["{UBUNTU_OWNER}"]
  }}
  ssh_username = "root"
  ssh_host     = "127.0.0.1"
  ssh_port     = {sshd.port}
  ssh_timeout  = "20s"
{extra}
}}
'''


REQUIRED = '''
packer {
  required_plugins {
    amazon = {
      version = ">= 1.2.8"
      source  = "github.com/hashicorp/amazon"
    }
  }
}
'''


def build_block(provisioner: str = 'inline = ["echo hello from ${build.SourceAMIName}"]', name: str = "learn-packer",
                sources: str = '"source.amazon-ebs.ubuntu"', post: str = "") -> str:
    return f'''
build {{
  name    = "{name}"
  sources = [{sources}]
  provisioner "shell" {{
    {provisioner}
  }}
{post}
}}
'''


def write_template(tmp: Path, *parts: str) -> Path:
    folder = tmp / "tpl"
    folder.mkdir(exist_ok=True)
    path = folder / "build.pkr.hcl"
    path.write_text("".join(parts))
    return path


def kiln_env(aws: AwsFixture, tmp: Path, **extra: str) -> dict[str, str]:
    return {**aws.env(), "KILN_JOURNAL_DIR": str(tmp / "journal"), **extra}


def build(aws: AwsFixture, tmp: Path, template: Path, *flags: str, timeout: float = 180, **env: str) -> Run:
    return run_kiln(["build", "-color=false", *flags, str(template)], tmp, env=kiln_env(aws, tmp, **env),
                    timeout=timeout)


def reset_cloud(aws: AwsFixture) -> AwsFixture:
    """moto empty again, an empty call log; ``aws.baseline``: the snapshots moto itself has after a reset
    (its images' snapshots, new ids after every reset), which are not the build's."""
    aws.reset()
    aws.baseline = {snap["SnapshotId"] for region in REGIONS
                    for snap in aws.client("ec2", region).describe_snapshots(OwnerIds=["self"])["Snapshots"]}
    return aws


def inventory(aws: AwsFixture, regions: tuple[str, ...] = REGIONS) -> dict[str, Any]:
    """What exists in moto now (ours only: self-owned images, non-default groups, live instances)."""
    out: dict[str, Any] = {"images": {}, "snapshots": {}, "instances": [], "key_pairs": [], "groups": [],
                           "launch_templates": []}
    for region in regions:
        ec2 = aws.client("ec2", region)
        for image in ec2.describe_images(Owners=["self"])["Images"]:
            out["images"][image["ImageId"]] = {
                "region": region, "name": image["Name"], "tags": {t["Key"]: t["Value"] for t in image.get("Tags", [])},
                "snapshots": [m["Ebs"]["SnapshotId"] for m in image.get("BlockDeviceMappings", [])
                              if m.get("Ebs", {}).get("SnapshotId")]}
        for snap in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]:
            if snap["SnapshotId"] in aws.baseline:
                continue
            out["snapshots"][snap["SnapshotId"]] = {"region": region,
                                                    "tags": {t["Key"]: t["Value"] for t in snap.get("Tags", [])}}
        for r in ec2.describe_instances()["Reservations"]:
            for inst in r["Instances"]:
                if inst["State"]["Name"] != "terminated":
                    out["instances"].append((region, inst["InstanceId"], inst["State"]["Name"]))
        out["key_pairs"] += [(region, k["KeyName"]) for k in ec2.describe_key_pairs()["KeyPairs"]]
        out["launch_templates"] += [(region, t["LaunchTemplateName"])
                                    for t in ec2.describe_launch_templates()["LaunchTemplates"]]
        out["groups"] += [(region, g["GroupName"]) for g in ec2.describe_security_groups()["SecurityGroups"]
                          if g["GroupName"] != "default"]
    return out


def nothing_left(inv: dict[str, Any]) -> bool:
    return not (inv["images"] or inv["snapshots"] or inv["instances"] or inv["key_pairs"] or inv["groups"]
                or inv["launch_templates"])


def journal_entries(tmp: Path) -> list[dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    folder = tmp / "journal"
    for path in sorted(folder.glob("*.journal")) if folder.is_dir() else []:
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record["op"] == "add":
                entries[record["id"]] = record
            else:
                entries.pop(record["id"], None)
    return list(entries.values())


def start_kiln(aws: AwsFixture, tmp: Path, template: Path, *flags: str) -> subprocess.Popen[str]:
    env = {**os.environ, "HOME": str(tmp / ".home"), **kiln_env(aws, tmp)}
    return subprocess.Popen([*KILN, "build", "-color=false", *flags, str(template)], cwd=tmp, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL,
                            start_new_session=True)


def read_until(proc: subprocess.Popen[str], marker: str, timeout: float = 120) -> str:
    """Read the process's output until a line contains ``marker`` (the output so far)."""
    assert proc.stdout is not None
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"{marker!r} never came; output:\n{''.join(seen)}")


def kill_group(proc: subprocess.Popen[str], sig: int = signal.SIGKILL) -> None:
    os.killpg(proc.pid, sig)


