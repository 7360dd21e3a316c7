"""aws_secretsmanager in a legacy template's variables, against a real moto server over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from kiln.template.legacy import LegacyTemplateError, load_legacy
from kiln.template.legacy.secret_funcs import secret_value
from kiln_sdk.gotemplate import FuncError

NULL = {"type": "null", "communicator": "none"}


@pytest.fixture(scope="module")
def aws_env() -> Iterator[dict[str, str]]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": f"http://{host}:{port}"}
    client = boto3.client("secretsmanager", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_secret(Name="app", SecretString=json.dumps({"user": "admin", "password": "pw1"}))
    client.create_secret(Name="plain", SecretString="just-text")
    client.create_secret(Name="single", SecretString=json.dumps({"only": "one"}))
    try:
        yield env
    finally:
        server.stop()


def template(tmp: Path, variables: dict[str, str]) -> str:
    path = tmp / "t.json"
    path.write_text(json.dumps({"variables": variables, "builders": [NULL]}))
    return str(path)


def test_secrets_in_variables(tmp_path: Path, aws_env: dict[str, str]) -> None:
    t = load_legacy(template(tmp_path, {
        "pw": "{{ aws_secretsmanager `app` `password` }}", "plain": "{{ aws_secretsmanager `plain` }}",
        "single": "{{ aws_secretsmanager `single` }}"}), env=aws_env)
    assert (t.user_variables["pw"], t.user_variables["plain"], t.user_variables["single"]) == ("pw1", "just-text", "one")


@pytest.mark.parametrize("call, message", [
    ("{{ aws_secretsmanager `app` }}", "Secret has multiple values and no key was set"),
    ("{{ aws_secretsmanager `app` `nope` }}", 'No secret found for key "nope"'),
    ("{{ aws_secretsmanager `missing` }}", "Error getting secret: An error occurred (ResourceNotFoundException)"),
    ("{{ aws_secretsmanager }}", "secret name must be provided"),
])
def test_secret_errors(tmp_path: Path, aws_env: dict[str, str], call: str, message: str) -> None:
    with pytest.raises(LegacyTemplateError) as exc:
        load_legacy(template(tmp_path, {"v": call}), env=aws_env)
    assert message in exc.value.packer_text


def test_secret_value_rules() -> None:
    assert secret_value("[1, 2]", "") == "[1, 2]"
    assert secret_value('{"n": 3}', "n") == "3"
    with pytest.raises(FuncError):
        secret_value('{"a": "1", "b": "2"}', "")


def test_vault_needs_a_token_and_reads_kv(tmp_path: Path) -> None:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Vault(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            ok = self.path == "/v1/secret/data/a" and self.headers.get("X-Vault-Token") == "t"
            body = json.dumps({"data": {"data": {"b": "from-vault"}}} if ok else {"errors": ["denied"]}).encode()
            self.send_response(200 if ok else 403)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    path = template(tmp_path, {"v": "{{ vault `secret/data/a` `b` }}"})
    with pytest.raises(LegacyTemplateError) as exc:
        load_legacy(path, env={})
    assert "Must set VAULT_TOKEN env var in order to use vault template function" in exc.value.packer_text
    server = ThreadingHTTPServer(("127.0.0.1", 0), Vault)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        addr = f"http://127.0.0.1:{server.server_address[1]}"
        t = load_legacy(path, env={"VAULT_TOKEN": "t", "VAULT_ADDR": addr})
        assert t.user_variables["v"] == "from-vault"
        with pytest.raises(LegacyTemplateError) as exc:
            load_legacy(path, env={"VAULT_TOKEN": "wrong", "VAULT_ADDR": addr})
        assert "Code: 403" in exc.value.packer_text and "denied" in exc.value.packer_text
    finally:
        server.shutdown()
