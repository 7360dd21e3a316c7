"""Contextual functions that read the environment or a secrets service: ``env``, ``aws_secretsmanager``,
``aws_secretsmanager_raw`` (boto3, with the usual AWS environment: credentials chain, ``AWS_REGION``,
``AWS_ENDPOINT_URL``...), ``vault`` (Vault's HTTP API: ``VAULT_ADDR``, ``VAULT_TOKEN``,
``VAULT_NAMESPACE``, ``VAULT_SKIP_VERIFY``, ``VAULT_CACERT``) and ``consul_key`` (Consul's KV API:
``CONSUL_HTTP_ADDR``, ``CONSUL_HTTP_TOKEN``, ``CONSUL_HTTP_SSL``).

Every value read from a service is marked sensitive. Packer allows ``env`` only in variable defaults;
the template layer enforces where it may be called.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.parse
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kiln.hcl.function import FunctionError, Param
from kiln.hcl.values import SENSITIVE, STRING, Value

from ._support import define, string

if TYPE_CHECKING:  # the HTTP client loads when a template calls vault/consul_key, not with kiln
    import ssl

_TIMEOUT = 30.0

# ---- env -----------------------------------------------------------------------------------------------


def _env(args: Sequence[Value]) -> Value:
    return string(os.environ.get(args[0].v, ""))


# ---- AWS Secrets Manager -------------------------------------------------------------------------------


def _aws_secret_string(name: str) -> str:
    import boto3  # lazy: boto3 is heavy, loaded when a template calls aws_secretsmanager (start-up time)
    import botocore.exceptions

    if not name:
        raise FunctionError("At least one secret name must be provided")
    try:
        # AWS_REGION first, as the Go SDK Packer uses does (botocore itself reads AWS_DEFAULT_REGION)
        session = boto3.session.Session(region_name=os.environ.get("AWS_REGION") or None)
        client = session.client("secretsmanager")
        resp = client.get_secret_value(SecretId=name, VersionStage="AWSCURRENT")
    except botocore.exceptions.NoRegionError:
        raise FunctionError(
            "MissingRegion: could not find region configuration; set AWS_REGION (or AWS_DEFAULT_REGION)"
        ) from None
    except botocore.exceptions.NoCredentialsError:
        raise FunctionError(
            "NoCredentialProviders: no valid providers in chain; set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            "AWS_PROFILE or an instance role"
        ) from None
    except botocore.exceptions.ClientError as err:
        e = err.response.get("Error", {})
        meta = err.response.get("ResponseMetadata", {})
        raise FunctionError(
            f"{e.get('Code', 'Error')}: {e.get('Message', str(err))}\n"
            f"\tstatus code: {meta.get('HTTPStatusCode', 0)}, request id: {meta.get('RequestId', '')}"
        ) from None
    except botocore.exceptions.EndpointConnectionError as err:
        url = str(err.kwargs.get("endpoint_url", ""))
        cause = go_request_error(url, ConnectionRefusedError()).replace("Get ", "Post ", 1)
        raise FunctionError(f"RequestError: send request failed\ncaused by: {cause}") from None
    except botocore.exceptions.BotoCoreError as err:
        raise FunctionError(f"RequestError: send request failed\ncaused by: {err}") from None
    if "SecretString" not in resp:
        raise FunctionError("Secret is not string")
    return str(resp["SecretString"])


def _secret_field(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return format(Decimal(str(value)).quantize(Decimal(1)), "f")  # Go: FormatFloat(v, 'f', 0, 64)
    raise FunctionError(f"Unsupported secret value type: {type(value).__name__}")


def secret_value(secret: str, key: str) -> str:
    """The SDK's ``getSecretValue``: plaintext as is, else one field of the JSON object."""
    try:
        parsed = json.loads(secret)
    except ValueError:
        return secret
    if not isinstance(parsed, dict):
        raise FunctionError("json: cannot unmarshal non-object secret into a key/value map")
    if key == "":
        if len(parsed) > 1:
            raise FunctionError("Secret has multiple values and no key was set")
        for v in parsed.values():
            return _secret_field(v)
    if key in parsed:
        return _secret_field(parsed[key])
    raise FunctionError(f'No secret found for key "{key}"')


def _aws_secretsmanager(args: Sequence[Value]) -> Value:
    key = "" if args[1].is_null else args[1].v
    return string(secret_value(_aws_secret_string(args[0].v), key)).mark(SENSITIVE)


def _aws_secretsmanager_raw(args: Sequence[Value]) -> Value:
    return string(_aws_secret_string(args[0].v)).mark(SENSITIVE)


# ---- HTTP services -------------------------------------------------------------------------------------


def _ssl_context(skip_verify: bool, cafile: str | None) -> ssl.SSLContext:
    import ssl  # lazy: loads when a template calls vault/consul_key, not with kiln (start-up time)

    ctx = ssl.create_default_context(cafile=cafile or None)
    if skip_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _get(url: str, headers: dict[str, str], ctx: ssl.SSLContext) -> tuple[int, bytes]:
    # lazy: the HTTP client loads when a template calls vault/consul_key (start-up time)
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, headers=headers, method="GET")
    try:
        with urllib.request.urlopen(req, timeout=_TIMEOUT, context=ctx) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def go_request_error(url: str, err: BaseException) -> str:
    """A failed request in the words of Go's net/http (``Get "url": dial tcp host:port: ...``)."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    reason = getattr(err, "reason", err)
    if isinstance(reason, ConnectionRefusedError):
        why = "connect: connection refused"
    elif isinstance(reason, TimeoutError):
        why = "i/o timeout"
    else:
        why = str(reason)
    return f'Get "{url}": dial tcp {parts.hostname}:{port}: {why}'


def _truthy(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").lower() in ("1", "true", "t", "yes")


def vault_read(path: str, key: str, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    token = env.get("VAULT_TOKEN", "")
    if not token:
        raise FunctionError("Must set VAULT_TOKEN env var in order to use vault template function")
    addr = env.get("VAULT_ADDR") or "https://127.0.0.1:8200"
    url = f"{addr.rstrip('/')}/v1/{path.lstrip('/')}"
    headers = {"X-Vault-Token": token, "X-Vault-Request": "true"}
    if env.get("VAULT_NAMESPACE"):
        headers["X-Vault-Namespace"] = env["VAULT_NAMESPACE"]
    ctx = _ssl_context(_truthy(env, "VAULT_SKIP_VERIFY"), env.get("VAULT_CACERT"))
    try:
        status, body = _get(url, headers, ctx)
    except OSError as err:  # urllib's URLError is an OSError
        raise FunctionError(f"Error reading vault secret: {go_request_error(url, err)}") from None
    if status == 404:
        raise FunctionError("Vault Secret does not exist at the given path")
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        payload = {}
    if status >= 400:
        errors = "".join(f"\n* {e}" for e in payload.get("errors", []))
        raise FunctionError(
            f"Error reading vault secret: Error making API request.\n\nURL: GET {url}\nCode: {status}. Errors:\n{errors}"
        )
    data = payload.get("data") or {}
    if "data" not in data:  # a v1 KV store
        if key in data:
            return str(data[key])
        warnings = "; ".join(payload.get("warnings") or [])
        raise FunctionError(
            "Vault data was empty at the given path. Check the Vault function docs for help: "
            "https://www.packer.io/docs/templates/hcl_templates/functions/contextual/vault. "
            f"Original warnings from Vault call: {warnings}"
        )
    inner = data["data"] or {}
    if key in inner:
        return str(inner[key])
    raise FunctionError("Vault path does not contain the requested key")


def _vault(args: Sequence[Value]) -> Value:
    return string(vault_read(args[0].v, args[1].v)).mark(SENSITIVE)


def consul_read(key: str, env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    addr = env.get("CONSUL_HTTP_ADDR") or "127.0.0.1:8500"
    if "://" not in addr:
        addr = ("https://" if _truthy(env, "CONSUL_HTTP_SSL") else "http://") + addr
    url = f"{addr.rstrip('/')}/v1/kv/{urllib.parse.quote(key.lstrip('/'))}"
    headers = {}
    if env.get("CONSUL_HTTP_TOKEN"):
        headers["X-Consul-Token"] = env["CONSUL_HTTP_TOKEN"]
    skip_verify = env.get("CONSUL_HTTP_SSL_VERIFY", "true").lower() in ("0", "false", "f", "no")
    ctx = _ssl_context(skip_verify, env.get("CONSUL_CACERT"))
    try:
        status, body = _get(url, headers, ctx)
    except OSError as err:  # urllib's URLError is an OSError
        raise FunctionError(f"error reading consul key: {go_request_error(url, err)}") from None
    if status == 404:
        raise FunctionError(f"key does not exist at the given path: {key}")
    if status >= 400:
        raise FunctionError(
            f"error reading consul key: Unexpected response code: {status} ({body.decode(errors='replace')})"
        )
    entries = json.loads(body or b"[]")
    raw = entries[0].get("Value") if entries else None
    value = base64.b64decode(raw).decode("utf-8", errors="replace") if raw else ""
    if value == "":
        raise FunctionError(f"value is empty at path {key}")
    return value


def _consul_key(args: Sequence[Value]) -> Value:
    return string(consul_read(args[0].v)).mark(SENSITIVE)


FUNCTIONS = {
    "env": define("env", [Param("key", STRING)], _env, STRING),
    "aws_secretsmanager": define(
        "aws_secretsmanager",
        [Param("name", STRING), Param("key", STRING, allow_null=True)],
        _aws_secretsmanager,
        STRING,
    ),
    "aws_secretsmanager_raw": define(
        "aws_secretsmanager_raw", [Param("name", STRING)], _aws_secretsmanager_raw, STRING
    ),
    "vault": define("vault", [Param("path", STRING), Param("key", STRING)], _vault, STRING),
    "consul_key": define("consul_key", [Param("key", STRING)], _consul_key, STRING),
}
