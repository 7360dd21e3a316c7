"""The amazon plugin's access configuration, seen from AWS: which credentials sign the calls (the proxy in
front of moto records the access key id of each request) and which endpoint they reach. An amazon-ami
data block is the cheapest real use of it: `kiln validate` runs it (one DescribeImages)."""

from __future__ import annotations

from pathlib import Path

from tests.aws_fixture import CREDENTIALS, AwsFixture
from tests.e2e.cli import run_kiln
from tests.plugins.amazon.helpers import REGION, kiln_env

ENV_KEY = CREDENTIALS["AWS_ACCESS_KEY_ID"]


def _validate(aws: AwsFixture, tmp: Path, settings: str, **env: str) -> str:
    (tmp / "t.pkr.hcl").write_text(f'''
data "amazon-ami" "u" {{
  region = "{REGION}"
{settings}
  filters = {{ name = "ubuntu/images/*ubuntu-xenial-16.04-amd64-server-*" }}
  owners      = ["099720109477"]
  most_recent = true
}}
source "null" "x" {{
  communicator = "none"
}}
build {{
  sources = ["source.null.x"]
  provisioner "shell-local" {{
    inline = ["echo ${{data.amazon-ami.u.id}}"]
  }}
}}
''')
    run = run_kiln(["validate", "t.pkr.hcl"], tmp, env=kiln_env(aws, tmp, **env))
    assert run.code == 0, run.out + run.err
    return run.out + run.err


def _signers(aws: AwsFixture, service: str) -> list[tuple[str, str]]:
    return [(action, key) for s, action, key in aws.signers if s == service]


def test_default_chain_and_aws_endpoint_url_ec2(cloud: AwsFixture, tmp_path: Path) -> None:
    _validate(cloud, tmp_path, "", AWS_ENDPOINT_URL_EC2=cloud.endpoint)
    assert _signers(cloud, "ec2") == [("DescribeImages", ENV_KEY)]  # AWS_ACCESS_KEY_ID of the environment


def test_static_keys_in_the_template_win_and_stay_secret(cloud: AwsFixture, tmp_path: Path) -> None:
    settings = (f'  custom_endpoint_ec2 = "{cloud.endpoint}"\n  access_key = "AKIATEMPLATEKEY"\n'
                '  secret_key = "template-secret-kiln-5678"\n')
    out = _validate(cloud, tmp_path, settings, KILN_LOG="1")
    assert _signers(cloud, "ec2") == [("DescribeImages", "AKIATEMPLATEKEY")]
    assert "template-secret-kiln-5678" not in out


def test_profile_from_shared_credentials_file(cloud: AwsFixture, tmp_path: Path) -> None:
    creds = tmp_path / "credentials"
    creds.write_text("[default]\naws_access_key_id = AKIADEFAULTKEY\naws_secret_access_key = x\n"
                     "[kiln]\naws_access_key_id = AKIAPROFILEKEY\naws_secret_access_key = y\n")
    settings = f'  custom_endpoint_ec2 = "{cloud.endpoint}"\n  profile = "kiln"\n  shared_credentials_file = "{creds}"\n'
    # the environment's keys would come first in the default chain: a profile asked for by name wins
    _validate(cloud, tmp_path, settings, AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="")
    assert _signers(cloud, "ec2") == [("DescribeImages", "AKIAPROFILEKEY")]


def test_assume_role_signs_with_the_role_s_credentials(cloud: AwsFixture, tmp_path: Path) -> None:
    settings = ('  assume_role {\n    role_arn     = "arn:aws:iam::123456789012:role/kiln-builder"\n'
                '    session_name = "kiln-test"\n    external_id  = "ext-1"\n  }\n')
    _validate(cloud, tmp_path, settings, AWS_ENDPOINT_URL=cloud.endpoint)
    assert _signers(cloud, "sts") == [("AssumeRole", ENV_KEY)]  # the base credentials ask for the role
    ec2 = _signers(cloud, "ec2")
    assert [a for a, _ in ec2] == ["DescribeImages"] and ec2[0][1] not in ("", ENV_KEY)  # the role's keys
