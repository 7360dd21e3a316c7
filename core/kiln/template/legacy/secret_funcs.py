"""Template functions that read secrets from outside (allowed in the ``variables`` section only):
``aws_secretsmanager`` through boto3, as Packer 1.6.6 does through the AWS SDK; ``vault`` and
``consul_key`` through their HTTP APIs, with the HCL functions' clients (``kiln.hcl.functions.services``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from kiln_sdk.gotemplate import FuncError, go_str

from kiln.hcl.function import FunctionError
from kiln.hcl.functions.services import consul_read, vault_read


def _session_kwargs(env: Mapping[str, str]) -> dict[str, Any]:
    return {
        "aws_access_key_id": env.get("AWS_ACCESS_KEY_ID"),
        "aws_secret_access_key": env.get("AWS_SECRET_ACCESS_KEY"),
        "aws_session_token": env.get("AWS_SESSION_TOKEN"),
        "region_name": env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"),
        "profile_name": env.get("AWS_PROFILE"),
    }


def secret_value(secret: str, key: str) -> str:
    """Packer's getSecretValue: a plain secret as it is; a JSON object by key (or its only value)."""
    try:
        values = json.loads(secret)
    except ValueError:
        return secret
    if not isinstance(values, dict):
        return secret
    if not key and len(values) > 1:
        raise FuncError("Error getting secret: Secret has multiple values and no key was set")
    if not key:
        return next((_text(v) for v in values.values()), "")
    if key in values:
        return _text(values[key])
    raise FuncError(f'Error getting secret: No secret found for key "{key}"')


def _text(v: Any) -> str:
    return v if isinstance(v, str) else go_str(v)


def secret_funcs(env: Mapping[str, str], enabled: bool) -> dict[str, Callable[..., Any]]:
    def aws_secretsmanager(*secret: str) -> str:
        if not enabled:
            raise FuncError("AWS Secrets Manager is only allowed in the variables section")
        if not secret:
            raise FuncError("secret name must be provided")
        if len(secret) > 2:
            raise FuncError("only secret name and optional secret key can be provided.")
        name, key = secret[0], secret[1] if len(secret) == 2 else ""
        import boto3  # lazy: boto3 is heavy, loaded when a template uses it (start-up time)
        import botocore.exceptions

        endpoint = env.get("AWS_ENDPOINT_URL_SECRETS_MANAGER") or env.get("AWS_ENDPOINT_URL")
        try:
            session = boto3.session.Session(**_session_kwargs(env))
            client = session.client("secretsmanager", endpoint_url=endpoint)
            resp = client.get_secret_value(SecretId=name, VersionStage="AWSCURRENT")
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise FuncError(f"Error getting secret: {exc}") from None
        if "SecretString" not in resp:
            raise FuncError("Error getting secret: Secret is not string")
        return secret_value(resp["SecretString"], key)

    def vault(path: str, key: str) -> str:
        if not enabled:
            raise FuncError("Vault vars are only allowed in the variables section")
        if not env.get("VAULT_TOKEN"):
            raise FuncError("Must set VAULT_TOKEN env var in order to use vault template function")
        try:
            return vault_read(path, key, env)
        except FunctionError as exc:
            raise FuncError(str(exc)) from None

    def consul_key(key: str) -> str:
        if not enabled:
            raise FuncError("consul_key is not allowed here")
        try:
            return consul_read(key, env)
        except FunctionError as exc:
            raise FuncError(str(exc)) from None

    return {"aws_secretsmanager": aws_secretsmanager, "consul_key": consul_key, "vault": vault}
