"""The amazon data sources (amazon-ami, amazon-parameterstore, amazon-secretsmanager) against moto: their
outputs as Packer's plugin gives them, their errors at the data block, and secret values that reach the
build intact but are masked in every output and log. (Packer 1.6.6 has no data sources: no oracle here.)"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tests.aws_fixture import AwsFixture
from tests.e2e.cli import run_kiln
from tests.plugins.amazon.helpers import REGION, kiln_env

SECRET = "s3cr3t-Pa55-kiln-test-0987"
JSON_SECRET = json.dumps({"user": "admin", "password": SECRET, "port": 5432})


def _env(aws: AwsFixture, tmp: Path, **extra: str) -> dict[str, str]:
    # AWS_ENDPOINT_URL: boto3's own variable, honoured for every service (ssm, secretsmanager, ec2)
    return kiln_env(aws, tmp, AWS_ENDPOINT_URL=aws.endpoint, AWS_REGION=REGION, **extra)


BUILD = '''
source "null" "x" {
  communicator = "none"
}
build {
  sources = ["source.null.x"]
  provisioner "shell-local" {
    inline = INLINE
  }
}
'''


def _template(tmp: Path, data: str, inline: list[str]) -> Path:
    path = tmp / "t.pkr.hcl"
    path.write_text(data + BUILD.replace("INLINE", json.dumps(inline)))
    return path


def test_amazon_ami_outputs(cloud: AwsFixture, tmp_path: Path) -> None:
    ec2 = cloud.client("ec2", REGION)
    mine = ec2.describe_images(Owners=["099720109477"], Filters=[
        {"Name": "name", "Values": ["ubuntu/images/*ubuntu-xenial-16.04-amd64-server-*"]}])["Images"]
    newest = max(mine, key=lambda i: i["CreationDate"])
    ec2.create_tags(Resources=[newest["ImageId"]], Tags=[{"Key": "Team", "Value": "kiln"}])
    data = '''
data "amazon-ami" "ubuntu" {
  filters = {
    name                = "ubuntu/images/*ubuntu-xenial-16.04-amd64-server-*"
    virtualization-type = "hvm"
  }
  owners      = ["099720109477"]
  most_recent = true
}
'''
    template = _template(tmp_path, data, [
        "echo id=${data.amazon-ami.ubuntu.id}", "echo name=${data.amazon-ami.ubuntu.name}",
        "echo owner=${data.amazon-ami.ubuntu.owner} date=${data.amazon-ami.ubuntu.creation_date}",
        "echo team=${data.amazon-ami.ubuntu.tags.Team}"])
    run = run_kiln(["build", "-color=false", str(template)], tmp_path, env=_env(cloud, tmp_path))
    assert run.code == 0, run.out + run.err
    assert f"id={newest['ImageId']}" in run.out and f"name={newest['Name']}" in run.out
    assert f"owner=099720109477 date={newest['CreationDate']}" in run.out
    assert "team=kiln" in run.out


def test_amazon_ami_errors_at_the_data_block(cloud: AwsFixture, tmp_path: Path) -> None:
    template = _template(tmp_path, 'data "amazon-ami" "x" {\n  filters = { name = "nothing-like-this-*" }\n}\n',
                         ["echo ${data.amazon-ami.x.id}"])
    run = run_kiln(["validate", str(template)], tmp_path, env=_env(cloud, tmp_path))
    assert run.code == 1, run.out
    assert "For security reasons, you must declare an owner." in run.out and "t.pkr.hcl line 1" in run.out  # owners is missing: the block
    template.write_text(template.read_text().replace('name = "nothing-like-this-*" }',
                                                     'name = "nothing-like-this-*" }\n  owners = ["self"]'))
    run = run_kiln(["validate", str(template)], tmp_path, env=_env(cloud, tmp_path))
    assert run.code == 1, run.out
    assert "Failed to execute data source amazon-ami.x" in run.out
    assert 'No AMI was found matching filters: { Filters: [{ Name: "name", Values: ["nothing-like-this-*"] }], ' \
           'Owners: ["self"] }' in " ".join(run.out.split())  # the diagnostic is wrapped
    assert "Traceback" not in run.out + run.err


def test_amazon_parameterstore_value_is_delivered_and_masked(cloud: AwsFixture, tmp_path: Path) -> None:
    ssm = cloud.client("ssm", REGION)
    ssm.put_parameter(Name="/kiln/db/password", Value=SECRET, Type="SecureString")
    ssm.put_parameter(Name="/kiln/db/password", Value=SECRET, Type="SecureString", Overwrite=True)
    data = 'data "amazon-parameterstore" "db" {\n  name = "/kiln/db/password"\n  with_decryption = true\n}\n'
    out_file = tmp_path / "delivered.txt"
    template = _template(tmp_path, data, [
        f"printf %s '${{data.amazon-parameterstore.db.value}}' > {out_file}",
        "echo value=${data.amazon-parameterstore.db.value} version=${data.amazon-parameterstore.db.version}",
        "echo arn=${data.amazon-parameterstore.db.arn}"])
    run = run_kiln(["build", "-color=false", str(template)], tmp_path, env=_env(cloud, tmp_path, KILN_LOG="1"))
    assert run.code == 0, run.out + run.err
    assert out_file.read_text() == SECRET  # the build got the value itself
    assert "value=<sensitive> version=2" in run.out
    assert f"arn=arn:aws:ssm:{REGION}:" in run.out and ":parameter/kiln/db/password" in run.out
    assert SECRET not in run.out + run.err  # nor in the log (KILN_LOG=1 writes it to stderr)


def test_amazon_parameterstore_missing(cloud: AwsFixture, tmp_path: Path) -> None:
    template = _template(tmp_path, 'data "amazon-parameterstore" "p" {\n  name = "/nope"\n}\n',
                         ["echo ${data.amazon-parameterstore.p.value}"])
    run = run_kiln(["validate", str(template)], tmp_path, env=_env(cloud, tmp_path))
    assert run.code == 1
    assert 'The parameter name "/nope" not found' in run.out and "t.pkr.hcl line 1" in run.out


def test_amazon_secretsmanager_outputs_are_masked_everywhere(cloud: AwsFixture, tmp_path: Path) -> None:
    sm = cloud.client("secretsmanager", REGION)
    created = sm.create_secret(Name="kiln/db", SecretString=JSON_SECRET)
    sm.create_secret(Name="kiln/plain", SecretString=SECRET + "-plain")
    sm.create_secret(Name="kiln/blob", SecretBinary=b"\x00binary-" + SECRET.encode())
    data = '''
data "amazon-secretsmanager" "db" {
  name = "kiln/db"
  key  = "password"
}
data "amazon-secretsmanager" "first" {
  name = "kiln/db"
}
data "amazon-secretsmanager" "plain" {
  name          = "kiln/plain"
  version_stage = "AWSCURRENT"
}
data "amazon-secretsmanager" "blob" {
  name = "kiln/blob"
}
locals {
  port = jsondecode(data.amazon-secretsmanager.db.secret_string)["port"]
}
'''
    out_file = tmp_path / "delivered.json"
    template = _template(tmp_path, data, [
        f"printf %s '${{data.amazon-secretsmanager.db.value}}|${{data.amazon-secretsmanager.first.value}}|"
        f"${{data.amazon-secretsmanager.plain.value}}|${{data.amazon-secretsmanager.db.version_id}}' > {out_file}",
        "echo db=${data.amazon-secretsmanager.db.value} string='${data.amazon-secretsmanager.db.secret_string}'",
        "echo plain=${data.amazon-secretsmanager.plain.value} port=${local.port}",
        "echo version=${data.amazon-secretsmanager.db.version_id}"])
    run = run_kiln(["build", "-color=false", str(template)], tmp_path, env=_env(cloud, tmp_path, KILN_LOG="1"))
    assert run.code == 0, run.out + run.err
    # Packer's outputs: value = the key's value, else the first value of a JSON secret, else the whole string
    assert out_file.read_text() == f"{SECRET}|admin|{SECRET}-plain|{created['VersionId']}"
    assert "db=<sensitive> string=<sensitive>" in run.out and "plain=<sensitive> port=5432" in run.out
    assert f"version={created['VersionId']}" in run.out
    everything = run.out + run.err
    for secret in (SECRET, JSON_SECRET, json.dumps(JSON_SECRET)[1:-1], "binary-" + SECRET,
                   base64.b64encode(JSON_SECRET.encode()).decode()):
        assert secret not in everything, secret

    inspect = run_kiln(["inspect", str(template)], tmp_path, env=_env(cloud, tmp_path))
    assert SECRET not in inspect.out + inspect.err


def test_amazon_secretsmanager_missing_secret(cloud: AwsFixture, tmp_path: Path) -> None:
    template = _template(tmp_path, 'data "amazon-secretsmanager" "s" {\n  name = "kiln/none"\n}\n',
                         ["echo ${data.amazon-secretsmanager.s.version_id}"])
    run = run_kiln(["validate", str(template)], tmp_path, env=_env(cloud, tmp_path))
    assert run.code == 1
    assert 'Secrets Manager Secret "kiln/none" Version "AWSCURRENT" not found' in run.out
    assert "t.pkr.hcl line 1" in run.out
