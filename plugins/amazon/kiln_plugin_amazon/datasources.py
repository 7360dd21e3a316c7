"""The amazon data sources, with Packer's configuration and outputs: ``amazon-ami`` (an AMI found by filters),
``amazon-parameterstore`` (an SSM parameter), ``amazon-secretsmanager`` (a Secrets Manager secret version).

The secret outputs are marked sensitive in their schema: kiln masks their values in every output, log and
error from the moment the data source has run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kiln_sdk import BuildError, BuildInfo, Context, Datasource, Diagnostics, setting

from kiln_plugin_amazon.access import AccessConfig, describe_error, error_code
from kiln_plugin_amazon.config import check_filters
from kiln_plugin_amazon.images import find_image


@dataclass
class AmiDataConfig(AccessConfig):
    """amazon-ami: the AMI that filters and owners find (Packer's AmiFilterOptions)."""

    filters: dict[str, str] = setting(default_factory=dict, doc="EC2 DescribeImages filters (name = value).")
    owners: list[str] = setting(default_factory=list, doc='Owner account ids or aliases ("self", "amazon").')
    most_recent: bool = setting(default=False, doc="Take the newest of several matches instead of failing.")
    include_deprecated: bool = setting(default=False, doc="Also match deprecated images.")


@dataclass
class AmiOutput:
    id: str = setting(default="", doc="The ID of the AMI.")
    name: str = setting(default="", doc="The name of the AMI.")
    creation_date: str = setting(default="", doc="The date of creation of the AMI.")
    owner: str = setting(default="", doc="The AWS account ID of the owner.")
    owner_name: str = setting(default="", doc="The owner alias.")
    tags: dict[str, str] = setting(default_factory=dict, doc="The tags of the AMI.")


class AmiDatasource(Datasource[AmiDataConfig]):
    Config = AmiDataConfig
    Output = AmiOutput
    description = "The AMI that filters and owners find (id, name, creation_date, owner, owner_name, tags)."

    def __init__(self) -> None:
        self.config = AmiDataConfig()

    def configure(self, config: AmiDataConfig, info: BuildInfo) -> list[str]:
        diags = Diagnostics()
        config.validate_access(diags)
        if not config.filters and not config.owners:
            diags.error("The `filters` must be specified", "Give filters (e.g. name = \"ubuntu/images/*\") and "
                        "owners.", ["filters"])
        elif not config.owners:
            diags.error("For security reasons, you must declare an owner.",
                        'Set owners, e.g. ["099720109477"] (Canonical) or ["self"].', ["owners"])
        check_filters(diags, config.filters, ["filters"])
        diags.raise_if_errors()
        self.config = config
        return []

    def execute(self, ctx: Context) -> AmiOutput:
        c = self.config
        image = find_image(c.session().ec2(), c.filters, c.owners, c.most_recent, c.include_deprecated)
        return AmiOutput(id=image["ImageId"], name=image.get("Name", ""), creation_date=image.get("CreationDate", ""),
                         owner=image.get("OwnerId", ""), owner_name=image.get("ImageOwnerAlias", ""),
                         tags={t["Key"]: t["Value"] for t in image.get("Tags", [])})


@dataclass
class ParameterConfig(AccessConfig):
    """amazon-parameterstore: one SSM parameter."""

    name: str = setting(default="", required=True, doc="The name of the parameter.")
    with_decryption: bool = setting(default=False, doc="Decrypt a SecureString parameter.")


@dataclass
class ParameterOutput:
    value: str = setting(default="", sensitive=True, doc="The parameter's value (masked in kiln's output).")
    version: str = setting(default="", doc="The parameter's version.")
    arn: str = setting(default="", doc="The ARN of the parameter.")


class ParameterStoreDatasource(Datasource[ParameterConfig]):
    Config = ParameterConfig
    Output = ParameterOutput
    description = "A parameter of AWS Systems Manager Parameter Store (value, version, arn)."

    def __init__(self) -> None:
        self.config = ParameterConfig()

    def configure(self, config: ParameterConfig, info: BuildInfo) -> list[str]:
        diags = Diagnostics()
        config.validate_access(diags)
        if not config.name:
            diags.error("a 'name' must be provided", "Set name to the parameter's name, e.g. \"/app/db/host\".",
                        ["name"])
        diags.raise_if_errors()
        self.config = config
        return []

    def execute(self, ctx: Context) -> ParameterOutput:
        c = self.config
        try:
            param = c.session().client("ssm").get_parameter(Name=c.name, WithDecryption=c.with_decryption)["Parameter"]
        except Exception as exc:  # noqa: BLE001
            code = error_code(exc)
            if code == "ParameterNotFound":
                raise BuildError(f"The parameter name {json.dumps(c.name)} not found") from None
            if code == "ParameterVersionNotFound":
                raise BuildError(f"The parameter version {json.dumps(c.name)} not found") from None
            raise BuildError(f"error to get parameter value: {describe_error(exc)}") from None
        return ParameterOutput(value=str(param.get("Value", "")), version=str(param.get("Version", "")),
                               arn=str(param.get("ARN", "")))


@dataclass
class SecretConfig(AccessConfig):
    """amazon-secretsmanager: one version of a Secrets Manager secret."""

    name: str = setting(default="", required=True, doc="The secret's name or ARN.")
    key: str = setting(default="", doc="For a JSON secret: the key whose value `value` is.")
    version_id: str = setting(default="", doc="The version to read (overrides version_stage).")
    version_stage: str = setting(default="", doc="The staging label of the version to read (default AWSCURRENT).")


@dataclass
class SecretOutput:
    value: str = setting(default="", sensitive=True, doc="The value of `key` (or the first value of a JSON secret, "
                         "or the whole secret string).")
    secret_string: str = setting(default="", sensitive=True, doc="The secret string.")
    secret_binary: str = setting(default="", sensitive=True, doc="The secret binary (base64).")
    version_id: str = setting(default="", doc="The version's id.")


class SecretsManagerDatasource(Datasource[SecretConfig]):
    Config = SecretConfig
    Output = SecretOutput
    description = "A secret of AWS Secrets Manager (value, secret_string, secret_binary, version_id); masked."

    def __init__(self) -> None:
        self.config = SecretConfig()

    def configure(self, config: SecretConfig, info: BuildInfo) -> list[str]:
        diags = Diagnostics()
        config.validate_access(diags)
        if not config.name:
            diags.error("a 'name' must be provided", "Set name to the secret's name or ARN.", ["name"])
        if not config.version_stage:
            config.version_stage = "AWSCURRENT"
        diags.raise_if_errors()
        self.config = config
        return []

    def execute(self, ctx: Context) -> SecretOutput:
        c = self.config
        kwargs: dict[str, Any] = {"SecretId": c.name}
        if c.version_id:
            kwargs["VersionId"] = version = c.version_id
        else:
            kwargs["VersionStage"] = version = c.version_stage
        try:
            secret = c.session().client("secretsmanager").get_secret_value(**kwargs)
        except Exception as exc:  # noqa: BLE001
            code = error_code(exc)
            if code == "ResourceNotFoundException" or (code == "InvalidRequestException"
                                                       and "because it was deleted" in str(exc)):
                raise BuildError(f"Secrets Manager Secret {json.dumps(c.name)} Version {json.dumps(version)} "
                                 "not found") from None
            raise BuildError(f"error reading Secrets Manager Secret Version: {describe_error(exc)}") from None
        text = str(secret.get("SecretString", "") or "")
        binary = secret.get("SecretBinary", b"") or b""
        return SecretOutput(value=secret_value(text, c.key), secret_string=text,
                            secret_binary=binary.decode("utf-8", "replace") if isinstance(binary, bytes) else str(binary),
                            version_id=str(secret.get("VersionId", "")))


def secret_value(text: str, key: str) -> str:
    """Packer's getSecretValue: a plain secret is its value; a JSON object's ``key`` (or first) value."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except ValueError:
        return text
    if not isinstance(data, dict):
        raise BuildError("error to get secret value: the secret is JSON but not an object")
    if not key:
        if not data:
            return ""
        return _string(next(iter(data.values())))
    return _string(data[key]) if key in data else ""


def _string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(round(Decimal(value)))  # Packer formats numbers with no decimals
    raise BuildError(f"error to get secret value: Unsupported secret value type: {type(value).__name__}")
