"""``kiln build`` against ``packer build`` (Debian's 1.6.6, amazon-ebs built in) on the tutorial build:
t2.micro in us-west-2 from an Ubuntu ``source_ami_filter``, ``ami_regions`` copies to two more regions, AMI
and snapshot tags, a shell provisioner, a manifest.

Both run against the same local AWS: moto in server mode behind the tests' recording proxy
(tests/aws_fixture.py, which logs every API call it forwards), reset before every run; the "instance" is a
real OpenSSH sshd on loopback that admits the key pairs existing in moto (tests/sshd_fixture.py). The
table shows the wall time of the whole CLI and the EC2 API calls each tool made, by action.

    .venv/bin/python bench/bench_amazon.py [--runs 3]

Exit status: 0 when both were measured and kiln made no more EC2 calls than Packer, 1 otherwise.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.aws_fixture import AwsFixture, start_aws  # noqa: E402
from tests.sshd_fixture import start_cloud_keys_sshd  # noqa: E402

KILN = str(ROOT / ".venv" / "bin" / "kiln")
PACKER = shutil.which("packer") or "/usr/bin/packer"
REGIONS = ["us-west-2", "us-east-1", "eu-west-1"]

TEMPLATE = """
source "amazon-ebs" "ubuntu" {
  ami_name                   = "learn-packer-linux-aws-{{timestamp}}"
  instance_type              = "t2.micro"
  region                     = "us-west-2"
  custom_endpoint_ec2        = "ENDPOINT"
  skip_credential_validation = true
  source_ami_filter {
    filters = {
      name                = "ubuntu/images/*ubuntu-xenial-16.04-amd64-server-*"
      root-device-type    = "ebs"
      virtualization-type = "hvm"
    }
    most_recent = true
    owners      = ["099720109477"]
  }
  ssh_username = "root"
  ssh_host     = "127.0.0.1"
  ssh_port     = PORT
  ami_regions  = ["us-east-1", "eu-west-1"]
  tags = {
    OS_Version    = "Ubuntu"
    Release       = "Latest"
    Base_AMI_Name = "{{ .SourceAMIName }}"
  }
  snapshot_tags = {
    Snapshot_Of = "{{ .SourceAMI }}"
  }
}
build {
  name    = "learn-packer"
  sources = ["source.amazon-ebs.ubuntu"]
  provisioner "shell" {
    inline = ["echo installing", "uname -a"]
  }
  post-processor "manifest" {
    output = "manifest.json"
  }
}
"""


def run_once(tool: str, work: Path, aws: AwsFixture) -> tuple[float, list[str]]:
    aws.reset()
    argv = [KILN if tool == "kiln" else PACKER, "build", "-color=false", "t.pkr.hcl"]
    env = {**os.environ, **aws.env(), "CHECKPOINT_DISABLE": "1", "HOME": str(work / ".home"),
           "KILN_JOURNAL_DIR": str(work / "journal"), "PACKER_TMP_DIR": str(work / ".ptmp")}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        p = subprocess.run(argv, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        if p.returncode != 0:
            out.seek(0)
            raise RuntimeError(f"{tool} build failed ({p.returncode}):\n{out.read().decode()[-3000:]}")
    calls = aws.ec2_calls()
    images = sum(len(aws.client("ec2", r).describe_images(Owners=["self"])["Images"]) for r in REGIONS)
    if images != 3:
        raise RuntimeError(f"{tool} build made {images} AMIs, not 3")
    return elapsed, calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not os.path.exists(KILN):
        print("kiln is not installed: run `make install`", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="kiln-bench-amazon-") as tmp:
        os.chmod(tmp, 0o755)  # the sshd's AuthorizedKeysCommand runs as nobody: it must reach its script
        aws = start_aws(Path(tmp) / "aws")
        sshd = start_cloud_keys_sshd(Path(tmp) / "sshd", aws.moto_url, REGIONS)
        works = {}
        for tool in ("kiln", "packer"):
            work = Path(tmp) / tool
            work.mkdir()
            (work / "t.pkr.hcl").write_text(TEMPLATE.replace("ENDPOINT", aws.endpoint).replace("PORT", str(sshd.port)))
            works[tool] = work
        times: dict[str, list[float]] = {"kiln": [], "packer": []}
        calls: dict[str, list[str]] = {}
        try:
            for tool in ("kiln", "packer"):  # warm-up (caches, page cache)
                run_once(tool, works[tool], aws)
            for _ in range(args.runs):
                for tool in ("kiln", "packer"):
                    elapsed, made = run_once(tool, works[tool], aws)
                    times[tool].append(elapsed)
                    calls[tool] = made
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            return 1
        finally:
            sshd.stop()
            aws.stop()
    print(f"amazon-ebs tutorial build (3 regions, tags, shell provisioner, manifest), {args.runs} runs each, "
          "moto server + sshd on loopback")
    print(f"{'':8} {'median s':>9} {'min s':>7} {'max s':>7} {'EC2 calls':>10}")
    for tool in ("kiln", "packer"):
        t = times[tool]
        print(f"{tool:8} {statistics.median(t):9.2f} {min(t):7.2f} {max(t):7.2f} {len(calls[tool]):10d}")
    print(f"ratio kiln/packer (median wall time): {statistics.median(times['kiln']) / statistics.median(times['packer']):.2f}")
    for tool in ("kiln", "packer"):
        kinds = collections.Counter(calls[tool])
        print(f"{tool} EC2 calls by action: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    if len(calls["kiln"]) > len(calls["packer"]):
        print(f"kiln made more EC2 calls than Packer ({len(calls['kiln'])} > {len(calls['packer'])})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
