"""amazon-ebs when AWS misbehaves or the template is wrong: throttling and 5xx injected by the proxy in
front of moto (retried, the build succeeds), bad or missing credentials, an API error mid-build (its
AWS code shown, every cleanup run), and bad input reported at file:line:col before anything is created."""

from __future__ import annotations

import collections
import signal
from pathlib import Path

from tests.aws_fixture import CREDENTIALS, AwsFixture
from tests.plugins.amazon.helpers import (
    REGION,
    build,
    build_block,
    inventory,
    journal_entries,
    kill_group,
    nothing_left,
    read_until,
    source_block,
    start_kiln,
    write_template,
)
from tests.sshd_fixture import SSHServer, free_port


def test_throttling_and_5xx_are_retried_and_the_build_succeeds(cloud: AwsFixture, keys_sshd: SSHServer,
                                                               tmp_path: Path) -> None:
    cloud.inject("RunInstances", 503, "RequestLimitExceeded", times=2)
    cloud.inject("CreateImage", 500, "InternalError", times=1)
    cloud.inject("DescribeImages", 503, "Unavailable", times=1)
    cloud.inject("CopyImage", 400, "Throttling", times=1)
    template = write_template(tmp_path, source_block(cloud, keys_sshd, extra='  ami_regions = ["us-east-1"]\n'),
                              build_block())
    run = build(cloud, tmp_path, template)
    assert run.code == 0, run.out + run.err
    calls = collections.Counter(cloud.ec2_calls())
    assert calls["RunInstances"] == 3 and calls["CreateImage"] == 2 and calls["CopyImage"] == 2  # retried
    assert all(f.times == 0 for f in cloud.faults)  # every injected fault was met
    inv = inventory(cloud)
    assert sorted(i["region"] for i in inv["images"].values()) == ["us-east-1", "us-west-2"]
    assert not (inv["instances"] or inv["key_pairs"] or inv["groups"])


def test_persistent_api_error_mid_build_names_the_code_and_cleans_up(cloud: AwsFixture, keys_sshd: SSHServer,
                                                                     tmp_path: Path) -> None:
    cloud.inject("CreateImage", 400, "InvalidParameterValue", times=10)
    template = write_template(tmp_path, source_block(cloud, keys_sshd), build_block())
    run = build(cloud, tmp_path, template)
    assert run.code == 1, run.out
    assert "Error creating AMI: InvalidParameterValue: injected by the test proxy" in run.out
    assert "Terminating the source AWS instance..." in run.out and "Deleting temporary keypair..." in run.out
    assert "Traceback" not in run.out + run.err
    assert nothing_left(inventory(cloud)), inventory(cloud)
    assert journal_entries(tmp_path) == []


def test_invalid_credentials_fail_before_anything_is_created(cloud: AwsFixture, keys_sshd: SSHServer,
                                                             tmp_path: Path) -> None:
    # moto takes any key: the proxy answers STS as AWS answers a key it does not know
    cloud.inject("GetCallerIdentity", 403, "InvalidClientTokenId", times=10)
    text = source_block(cloud, keys_sshd).replace("skip_credential_validation = true", "")
    template = write_template(tmp_path, text, build_block())
    run = build(cloud, tmp_path, template, AWS_ENDPOINT_URL_STS=cloud.endpoint)
    assert run.code == 1, run.out
    assert "error validating provider credentials: InvalidClientTokenId: injected by the test proxy" in run.out
    assert cloud.ec2_calls() == []
    assert CREDENTIALS["AWS_SECRET_ACCESS_KEY"] not in run.out + run.err


def test_no_credentials_at_all(cloud: AwsFixture, keys_sshd: SSHServer, tmp_path: Path) -> None:
    template = write_template(tmp_path, source_block(cloud, keys_sshd), build_block())
    run = build(cloud, tmp_path, template, AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="")
    assert run.code == 1, run.out
    assert "NoCredentialProviders: no valid credential sources found" in run.out
    assert "AWS_ACCESS_KEY_ID" in run.out  # says what to set
    assert cloud.ec2_calls() == [] and "Traceback" not in run.out + run.err


BAD_INPUT = [  # (the line added to the source block, the error, the attribute it is reported at)
    ('  region = "us-nowhere-1"\n', "Invalid region: us-nowhere-1", "region"),
    ('  ami_regions = ["us-east-1", "mars-north-1"]\n', "Invalid region: mars-north-1", "ami_regions"),
    ('  source_ami = "ami-12345678"\n', "source_ami and source_ami_filter conflict", "source_ami_filter"),
    ('  region_kms_key_ids = { "eu-west-1" = "alias/x" }\n  encrypt_boot = true\n',
     "Region eu-west-1 is in region_kms_key_ids but not in ami_regions", "region_kms_key_ids"),
    ('  temporary_security_group_source_cidrs = ["10.0.0.0/33"]\n',
     "Invalid CIDR in temporary_security_group_source_cidrs: 10.0.0.0/33", "temporary_security_group_source_cidrs"),
    ('  shutdown_behavior = "explode"\n', "shutdown_behavior only accepts 'stop' or 'terminate' values",
     "shutdown_behavior"),
    ('  spot_price = "cheap"\n', "Invalid spot_price: cheap", "spot_price"),
]


def test_bad_input_is_reported_at_its_attribute_before_anything_is_created(
        cloud: AwsFixture, keys_sshd: SSHServer, tmp_path: Path) -> None:
    """Every problem of one template at once (one kiln run), each at its attribute's line."""
    extra = "".join(b[0] for b in BAD_INPUT)
    text = source_block(cloud, keys_sshd, extra=extra).replace(f'  region        = "{REGION}"\n', "")
    text = text.replace('root-device-type    = "ebs"', '"root device" = "ebs"')  # a malformed filter name
    template = write_template(tmp_path, text, build_block())
    lines = template.read_text().splitlines()
    run = build(cloud, tmp_path, template)
    assert run.code == 1, run.out
    flat = " ".join(run.out.split())  # diagnostics are wrapped
    for _, message, attribute in BAD_INPUT:
        line = next(i for i, t in enumerate(lines, 1) if t.strip().startswith(attribute))
        assert message in flat, message
        # Packer's "on FILE line N, in source ...:" form, at the attribute
        assert f"build.pkr.hcl line {line}, in source" in run.out, (message, line, run.out)
    assert "Invalid filter name: 'root device'" in flat
    # a filter key is reported at its filters map (kiln points at a map attribute, not at one of its keys)
    line = next(i for i, t in enumerate(lines, 1) if t.strip().startswith("filters"))
    assert f"build.pkr.hcl line {line}, in source" in run.out
    assert "Traceback" not in run.out + run.err
    assert cloud.calls == []  # nothing was asked of AWS, nothing created


def test_ctrl_c_while_waiting_for_ssh_cancels_and_cleans_up(cloud: AwsFixture, keys_sshd: SSHServer,
                                                            tmp_path: Path) -> None:
    closed = free_port()  # nothing listens there: kiln waits for SSH until it is interrupted
    text = source_block(cloud, keys_sshd).replace(f"ssh_port     = {keys_sshd.port}", f"ssh_port     = {closed}")
    text = text.replace('ssh_timeout  = "20s"', 'ssh_timeout  = "10m"')
    template = write_template(tmp_path, text, build_block())
    proc = start_kiln(cloud, tmp_path, template)
    try:
        seen = read_until(proc, "Waiting for SSH to become available")
        kill_group(proc, signal.SIGINT)  # Ctrl-C: the terminal signals kiln's whole process group
        rest, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            kill_group(proc)
            proc.wait()
    out = seen + rest
    assert proc.returncode == 1, out
    assert "Cancelling build after receiving" in out
    assert "Terminating the source AWS instance..." in out and "Deleting temporary keypair..." in out
    assert "Traceback" not in out
    assert nothing_left(inventory(cloud)), inventory(cloud)
    assert journal_entries(tmp_path) == []
