"""aws_secretsmanager against a real AWS API server (moto in server mode on 127.0.0.1, through boto3),
vault and consul_key against small local HTTP servers speaking Vault's and Consul's KV APIs."""

from __future__ import annotations

import base64
import json
import socket
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.core.hcl.functions.hclfn_support import kiln_console


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- AWS Secrets Manager (moto server) ---------------------------------------------------------------


# moto keeps its state per process: other tests' servers see these secrets, so the names are unique
# to this module and the state is reset afterwards
PREFIX = f"kilnfn-{uuid.uuid4().hex[:8]}-"


@pytest.fixture(scope="module")
def aws_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    import boto3

    client = boto3.client(
        "secretsmanager",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_secret(Name=PREFIX + "plain", SecretString="just text")
    client.create_secret(Name=PREFIX + "single", SecretString=json.dumps({"password": "s3cret"}))
    client.create_secret(Name=PREFIX + "multi", SecretString=json.dumps({"user": "admin", "port": 5432}))
    client.create_secret(Name=PREFIX + "binary", SecretBinary=b"\x00\x01")
    try:
        yield endpoint
    finally:
        urllib.request.urlopen(
            urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10
        )
        server.stop()


@pytest.fixture
def aws_env(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws_endpoint)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")


def test_aws_secretsmanager_reads_secrets(aws_env: None) -> None:
    assert kiln_console(f'nonsensitive(aws_secretsmanager("{PREFIX}plain", null))') == "just text"
    assert kiln_console(f'nonsensitive(aws_secretsmanager("{PREFIX}single", null))') == "s3cret"
    assert kiln_console(f'nonsensitive(aws_secretsmanager("{PREFIX}multi", "user"))') == "admin"
    assert kiln_console(f'nonsensitive(aws_secretsmanager("{PREFIX}multi", "port"))') == "5432"
    assert (
        kiln_console(f'nonsensitive(aws_secretsmanager_raw("{PREFIX}multi"))')
        == '{"user": "admin", "port": 5432}'
    )


def test_aws_secrets_are_sensitive(aws_env: None) -> None:
    assert kiln_console(f'aws_secretsmanager("{PREFIX}plain", null)') == "<sensitive>"
    assert kiln_console(f'upper(aws_secretsmanager_raw("{PREFIX}plain"))') == "<sensitive>"


def test_aws_secretsmanager_errors(aws_env: None) -> None:
    assert kiln_console(f'aws_secretsmanager("{PREFIX}multi", null)') == (
        'ERROR: Call to function "aws_secretsmanager" failed: Secret has multiple values and no key was set.'
    )
    assert kiln_console(f'aws_secretsmanager("{PREFIX}multi", "nope")') == (
        'ERROR: Call to function "aws_secretsmanager" failed: No secret found for key "nope".'
    )
    assert kiln_console(f'aws_secretsmanager("{PREFIX}binary", null)') == (
        'ERROR: Call to function "aws_secretsmanager" failed: Secret is not string.'
    )
    missing = kiln_console(f'aws_secretsmanager("{PREFIX}absent", null)')
    assert missing.startswith(
        'ERROR: Call to function "aws_secretsmanager" failed: ResourceNotFoundException: '
    )
    assert kiln_console('aws_secretsmanager("", null)') == (
        'ERROR: Call to function "aws_secretsmanager" failed: At least one secret name must be provided.'
    )


def test_aws_without_region_fails_clearly(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION")
    assert "MissingRegion: could not find region configuration" in kiln_console(
        f'aws_secretsmanager_raw("{PREFIX}plain")'
    )


def test_aws_service_absent_fails_clearly(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    out = kiln_console(f'aws_secretsmanager_raw("{PREFIX}plain")')
    assert out.startswith(
        'ERROR: Call to function "aws_secretsmanager_raw" failed: RequestError: send request failed'
    )


# ---- Vault and Consul (local HTTP servers) ---------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, Any]] = {}
    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        type(self).seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        status, body = self.routes.get(self.path, (404, {"errors": []}))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def http_service() -> Iterator[tuple[str, type[_Handler]]]:
    handler: type[_Handler] = type("Handler", (_Handler,), {"routes": {}, "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.routes.update(
        {
            "/v1/secret/data/app": (
                200,
                {"data": {"data": {"password": "kv2-pass"}, "metadata": {"version": 1}}},
            ),
            "/v1/kv1/app": (200, {"data": {"password": "kv1-pass"}}),
            "/v1/kv1/empty": (200, {"data": {}, "warnings": ["nothing here"]}),
            "/v1/denied/app": (403, {"errors": ["permission denied"]}),
            "/v1/kv/config/db": (
                200,
                [{"Key": "config/db", "Value": base64.b64encode(b"db.local").decode()}],
            ),
            "/v1/kv/config/empty": (200, [{"Key": "config/empty", "Value": None}]),
        }
    )
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()


def test_vault_reads_kv_v2_and_v1(
    http_service: tuple[str, type[_Handler]], monkeypatch: pytest.MonkeyPatch
) -> None:
    addr, handler = http_service
    monkeypatch.setenv("VAULT_ADDR", addr)
    monkeypatch.setenv("VAULT_TOKEN", "root-token")
    monkeypatch.setenv("VAULT_NAMESPACE", "team")
    assert kiln_console('nonsensitive(vault("secret/data/app", "password"))') == "kv2-pass"
    assert kiln_console('nonsensitive(vault("kv1/app", "password"))') == "kv1-pass"
    assert kiln_console('vault("secret/data/app", "password")') == "<sensitive>"
    request = handler.seen[-1]
    assert request["x-vault-token"] == "root-token" and request["x-vault-namespace"] == "team"


def test_vault_errors(http_service: tuple[str, type[_Handler]], monkeypatch: pytest.MonkeyPatch) -> None:
    addr, _ = http_service
    monkeypatch.setenv("VAULT_ADDR", addr)
    monkeypatch.setenv("VAULT_TOKEN", "root-token")
    prefix = 'ERROR: Call to function "vault" failed: '
    assert (
        kiln_console('vault("secret/data/app", "nope")')
        == prefix + "Vault path does not contain the requested key."
    )
    assert (
        kiln_console('vault("secret/data/missing", "x")')
        == prefix + "Vault Secret does not exist at the given path."
    )
    assert "Original warnings from Vault call: nothing here" in kiln_console('vault("kv1/empty", "x")')
    denied = kiln_console('vault("denied/app", "x")')
    assert denied.startswith(prefix + "Error reading vault secret: Error making API request.")
    assert "Code: 403" in denied and "* permission denied" in denied
    monkeypatch.delenv("VAULT_TOKEN")
    assert kiln_console('vault("secret/data/app", "password")') == (
        prefix + "Must set VAULT_TOKEN env var in order to use vault template function."
    )


def test_vault_absent_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_ADDR", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("VAULT_TOKEN", "t")
    out = kiln_console('vault("secret/data/app", "password")')
    assert out.startswith(
        'ERROR: Call to function "vault" failed: Error reading vault secret: Get "http://127.0.0.1:'
    )
    assert "refused" in out


def test_consul_key(http_service: tuple[str, type[_Handler]], monkeypatch: pytest.MonkeyPatch) -> None:
    addr, handler = http_service
    monkeypatch.setenv("CONSUL_HTTP_ADDR", addr.removeprefix("http://"))
    monkeypatch.setenv("CONSUL_HTTP_TOKEN", "consul-token")
    assert kiln_console('nonsensitive(consul_key("config/db"))') == "db.local"
    assert handler.seen[-1]["x-consul-token"] == "consul-token"
    prefix = 'ERROR: Call to function "consul_key" failed: '
    assert (
        kiln_console('consul_key("config/missing")')
        == prefix + "key does not exist at the given path: config/missing."
    )
    assert kiln_console('consul_key("config/empty")') == prefix + "value is empty at path config/empty."
