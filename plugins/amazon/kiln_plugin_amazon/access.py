"""Packer's AWS access configuration (credentials, region, endpoints, retries, polling) on boto3.

Credentials, in Packer's order: ``access_key``/``secret_key``/``token``; ``profile`` (with
``shared_credentials_file``); then boto3's default chain (``AWS_*`` variables, the shared files, the
instance metadata unless ``skip_metadata_api_check``). ``assume_role {}`` then assumes a role with them.
Endpoints: ``custom_endpoint_ec2``, else boto3's own ``AWS_ENDPOINT_URL_<SERVICE>`` / ``AWS_ENDPOINT_URL``.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from kiln_sdk import BuildError, Cancelled, Diagnostics, setting

_DEFAULT_ATTEMPTS = 4  # the AWS SDK's default: 3 retries


@dataclass
class AssumeRoleConfig:
    role_arn: str = setting(default="", doc="The ARN of the role to assume.")
    duration_seconds: int = setting(default=0, doc="Session duration in seconds (0: AWS's default).")
    external_id: str = setting(default="", doc="The external ID to pass when assuming the role.")
    policy: str = setting(default="", doc="An IAM policy in JSON that further restricts the session.")
    policy_arns: list[str] = setting(default_factory=list, doc="ARNs of managed policies restricting the session.")
    session_name: str = setting(default="", doc="The session name (default: kiln-<time>).")
    tags: dict[str, str] = setting(default_factory=dict, doc="Session tags.")
    transitive_tag_keys: list[str] = setting(default_factory=list, doc="Session tags passed on to later roles.")


@dataclass
class PollingConfig:
    """``aws_polling {}``: how waiters poll (Packer's AWS_POLL_DELAY_SECONDS / AWS_MAX_ATTEMPTS)."""

    delay_seconds: int = setting(default=0, doc="Seconds between two polls (0: the waiter's default).")
    max_attempts: int = setting(default=0, doc="Polls before giving up (0: the waiter's default).")


@dataclass
class AccessConfig:
    access_key: str = setting(default="", doc="The AWS access key (else the default credential chain).")
    secret_key: str = setting(default="", sensitive=True, doc="The AWS secret key.")
    token: str = setting(default="", sensitive=True, doc="The session token of temporary credentials.")
    profile: str = setting(default="", doc="A profile of the shared credentials/config files.")
    shared_credentials_file: str = setting(default="", doc="Path to the shared credentials file.")
    region: str = setting(default="", doc="The region to build in (else AWS_REGION / AWS_DEFAULT_REGION).")
    assume_role: AssumeRoleConfig | None = setting(default=None, doc="Assume a role with the credentials.")
    custom_endpoint_ec2: str = setting(default="", doc="The EC2 endpoint URL (e.g. a local or private one).")
    decode_authorization_messages: bool = setting(default=False, doc="Decode encoded authorization errors (STS).")
    insecure_skip_tls_verify: bool = setting(default=False, doc="Do not verify the endpoints' TLS certificates.")
    max_retries: int = setting(default=0, doc="Retries of a throttled or failed API call (0: the SDK default, 3).")
    mfa_code: str = setting(default="", sensitive=True, doc="An MFA code (not supported by kiln: see docs).")
    skip_metadata_api_check: bool = setting(default=False, doc="Never ask the instance metadata for credentials.")
    skip_credential_validation: bool = setting(default=False, doc="Do not check the credentials with STS.")
    skip_region_validation: bool = setting(default=False, doc="Accept a region kiln does not know.")
    aws_polling: PollingConfig | None = setting(default=None, doc="How often and how long waiters poll.")

    def validate_access(self, diags: Diagnostics) -> None:
        if not self.region:
            self.region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or ""
        if not self.region:
            diags.error("region is required", "Set region (or AWS_REGION / AWS_DEFAULT_REGION) to the region to "
                        "build in, e.g. \"us-west-2\".", ["region"])
        elif not self.skip_region_validation and self.region not in known_regions():
            diags.error(f"Invalid region: {self.region}",
                        f'"{self.region}" is not an AWS region kiln knows; set skip_region_validation = true '
                        "to use it anyway.", ["region"])
        if bool(self.access_key) != bool(self.secret_key):
            missing = "secret_key" if self.access_key else "access_key"
            diags.error("access_key and secret_key go together",
                        f"Set {missing} too, or neither (to use a profile or the default chain).", [missing])
        if self.max_retries < 0:
            diags.error("Invalid max_retries", "It cannot be negative.", ["max_retries"])
        if self.mfa_code:
            diags.error("mfa_code is not supported by kiln", "Get temporary credentials (aws sts get-session-token) "
                        "and pass them as access_key, secret_key and token.", ["mfa_code"])
        if self.assume_role is not None and not self.assume_role.role_arn:
            diags.error("assume_role needs role_arn", "Set role_arn to the ARN of the role to assume.",
                        ["assume_role", "role_arn"])
        if self.custom_endpoint_ec2 and not self.custom_endpoint_ec2.startswith(("http://", "https://")):
            self.custom_endpoint_ec2 = "https://" + self.custom_endpoint_ec2  # as the AWS SDK does
        if self.shared_credentials_file and not os.path.isfile(os.path.expanduser(self.shared_credentials_file)):
            diags.error("shared_credentials_file not found", f"{self.shared_credentials_file}: no such file.",
                        ["shared_credentials_file"])
        if self.aws_polling is not None:
            for name in ("delay_seconds", "max_attempts"):
                if getattr(self.aws_polling, name) < 0:
                    diags.error(f"Invalid aws_polling {name}", "It cannot be negative.", ["aws_polling", name])

    def session(self) -> Aws:
        return Aws(self)

    def polling(self, default_delay: float, default_attempts: int) -> tuple[float, int]:
        """(delay, attempts) of a waiter: aws_polling, else AWS_POLL_DELAY_SECONDS / AWS_MAX_ATTEMPTS."""
        delay: float = default_delay
        attempts = default_attempts
        env_delay, env_attempts = os.environ.get("AWS_POLL_DELAY_SECONDS"), os.environ.get("AWS_MAX_ATTEMPTS")
        if env_delay and env_delay.isdigit():
            delay = int(env_delay)
        if env_attempts and env_attempts.isdigit():
            attempts = int(env_attempts)
        if self.aws_polling is not None:
            delay = self.aws_polling.delay_seconds or delay
            attempts = self.aws_polling.max_attempts or attempts
        return delay, attempts


_REGIONS: set[str] | None = None


def known_regions() -> set[str]:
    """Every region of every AWS partition botocore knows (its partitions.json: read without importing
    boto3 or loading the 1 MB endpoints.json, so a template is checked quickly)."""
    global _REGIONS
    if _REGIONS is None:
        import importlib.util
        import json

        regions: set[str] = set()
        spec = importlib.util.find_spec("botocore")
        path = os.path.join(os.path.dirname(spec.origin), "data", "partitions.json") if spec and spec.origin else ""
        try:
            with open(path) as fh:
                for partition in json.load(fh)["partitions"]:
                    regions.update(r for r in partition.get("regions", {}) if not r.endswith("-global"))
        except (OSError, ValueError, KeyError):
            import boto3  # an older botocore without partitions.json: ask it

            session = boto3.session.Session()
            for name in session.get_available_partitions():
                regions.update(session.get_available_regions("ec2", partition_name=name))
        _REGIONS = regions
    return _REGIONS


def botocore_config(access: AccessConfig) -> Any:
    from botocore.config import Config

    attempts = access.max_retries + 1 if access.max_retries else _DEFAULT_ATTEMPTS
    return Config(retries={"max_attempts": attempts, "mode": "standard"}, connect_timeout=20, read_timeout=60,
                  user_agent_extra="kiln-plugin-amazon")


_LOADER: Any = None
_LOADER_LOCK = threading.Lock()


def shared_loader() -> Any:
    """One botocore data loader for the process: EC2's service model (megabytes of JSON) is read once,
    whichever session or region asks for it."""
    global _LOADER
    with _LOADER_LOCK:
        if _LOADER is None:
            import botocore.loaders

            _LOADER = botocore.loaders.create_loader()
        return _LOADER


def warm_up(services: tuple[str, ...] = ("ec2",)) -> None:
    """Load boto3 and the services' models in the background (most of a second for EC2) while the
    build is prepared; the build's clients then start at once."""
    def load() -> None:
        try:
            import boto3
            import botocore.session

            core = botocore.session.Session()
            core.register_component("data_loader", shared_loader())
            session: Any = boto3.session.Session(botocore_session=core, region_name="us-east-1",
                                                 aws_access_key_id="warm-up", aws_secret_access_key="warm-up")
            for service in services:
                session.client(service)
        except Exception:  # noqa: BLE001 - only a head start: the build's own clients report problems
            pass

    threading.Thread(target=load, name="aws-warm-up", daemon=True).start()


class Aws:
    """boto3 clients per (service, region), from one credential resolution."""

    def __init__(self, access: AccessConfig) -> None:
        self.access = access
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self._session: Any = None

    def _boto_session(self) -> Any:
        if self._session is not None:
            return self._session
        import boto3
        import botocore.session

        a = self.access
        core = botocore.session.Session(profile=a.profile or None)
        core.register_component("data_loader", shared_loader())
        if a.shared_credentials_file:
            core.set_config_variable("credentials_file", os.path.expanduser(a.shared_credentials_file))
        if a.skip_metadata_api_check:
            core.set_config_variable("metadata_service_num_attempts", 0)
            resolver = core.get_component("credential_provider")
            for name in ("iam-role", "container-role"):
                try:
                    resolver.remove(name)
                except Exception:  # noqa: BLE001 - botocore without that provider
                    pass
        session = boto3.session.Session(botocore_session=core, region_name=a.region,
                                        aws_access_key_id=a.access_key or None,
                                        aws_secret_access_key=a.secret_key or None,
                                        aws_session_token=a.token or None)
        if a.assume_role is not None:
            session = self._assume(session)
        self._session = session
        return session

    def _assume(self, session: Any) -> Any:
        import boto3

        role = self.access.assume_role
        assert role is not None
        sts = session.client("sts", config=botocore_config(self.access), verify=not self.access.insecure_skip_tls_verify)
        kwargs: dict[str, Any] = {"RoleArn": role.role_arn,
                                  "RoleSessionName": role.session_name or f"kiln-{int(time.time())}"}
        if role.duration_seconds:
            kwargs["DurationSeconds"] = role.duration_seconds
        if role.external_id:
            kwargs["ExternalId"] = role.external_id
        if role.policy:
            kwargs["Policy"] = role.policy
        if role.policy_arns:
            kwargs["PolicyArns"] = [{"arn": arn} for arn in role.policy_arns]
        if role.tags:
            kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(role.tags.items())]
        if role.transitive_tag_keys:
            kwargs["TransitiveTagKeys"] = role.transitive_tag_keys
        try:
            creds = sts.assume_role(**kwargs)["Credentials"]
        except Exception as exc:  # noqa: BLE001
            raise BuildError(f"Error assuming role {role.role_arn}: {describe_error(exc)}") from None
        return boto3.session.Session(aws_access_key_id=creds["AccessKeyId"],
                                     aws_secret_access_key=creds["SecretAccessKey"],
                                     aws_session_token=creds["SessionToken"], region_name=self.access.region)

    def client(self, service: str, region: str | None = None) -> Any:
        region = region or self.access.region
        with self._lock:
            key = (service, region)
            if key not in self._clients:
                session = self._boto_session()
                kwargs: dict[str, Any] = {"region_name": region, "config": botocore_config(self.access)}
                if service == "ec2" and self.access.custom_endpoint_ec2:
                    kwargs["endpoint_url"] = self.access.custom_endpoint_ec2
                if self.access.insecure_skip_tls_verify:
                    kwargs["verify"] = False
                self._clients[key] = session.client(service, **kwargs)
            return self._clients[key]

    def ec2(self, region: str | None = None) -> Any:
        return self.client("ec2", region)

    def validate_credentials(self) -> None:
        """STS GetCallerIdentity (Packer does it unless skip_credential_validation)."""
        try:
            self.client("sts").get_caller_identity()
        except Exception as exc:  # noqa: BLE001
            raise BuildError(f"error validating provider credentials: {describe_error(exc)}") from None


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def describe_error(exc: BaseException) -> str:
    """An AWS error as Packer shows it: ``Code: message``; credentials problems say what to do."""
    from botocore.exceptions import NoCredentialsError, NoRegionError, PartialCredentialsError

    if isinstance(exc, NoCredentialsError):
        return ("NoCredentialProviders: no valid credential sources found (set access_key and secret_key, a profile, "
                "or the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables)")
    if isinstance(exc, (PartialCredentialsError, NoRegionError)):
        return str(exc)
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        err = response["Error"]
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
        request_id = response.get("ResponseMetadata", {}).get("RequestId", "")
        text = f"{err.get('Code', 'Error')}: {err.get('Message', '')}"
        if status:
            text += f"\n\tstatus code: {status}, request id: {request_id}"
        return text
    return f"{type(exc).__name__}: {exc}"


def wait_for(what: str, check: Any, cancel: threading.Event, delay: float, attempts: int) -> Any:
    """Poll ``check()`` (returns a result or None) until it returns something; cancellable at any time."""
    for attempt in range(max(attempts, 1)):
        if cancel.is_set():
            raise Cancelled()
        result = check()
        if result is not None:
            return result
        if attempt + 1 < attempts and cancel.wait(delay):
            raise Cancelled()
    raise BuildError(f"Error waiting for {what}: ResourceNotReady: exceeded wait attempts")
