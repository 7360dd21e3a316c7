"""The amazon-ebs builder: launch an instance from a source AMI, provision it over SSH, stop it, make an AMI
of it, copy the AMI to other regions, tag everything, clean up in reverse (Packer's amazon-ebs).

Every resource it creates (key pair, security group, instance, AMIs and their snapshots) is written in
the cleanup journal before the build goes on, and crossed out once it is removed (or, for the AMIs,
delivered as the artifact), so ``kiln cleanup`` can remove what a killed build left behind.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kiln_sdk import (
    ERROR,
    HOOK_DATA,
    Artifact,
    BuildContext,
    Builder,
    BuildError,
    BuildInfo,
    Cancelled,
    ConfigError,
    Diagnostics,
    JournalEntry,
    StateBag,
    StepConnect,
    StepProvision,
    StepRunner,
    Ui,
    interpolate_config,
)

from kiln_plugin_amazon import steps
from kiln_plugin_amazon.access import AccessConfig, describe_error, warm_up
from kiln_plugin_amazon.config import RUN_TIME_RENDERED, EBSConfig
from kiln_plugin_amazon.resources import delete_resource

BUILDER_ID = "mitchellh.amazonebs"
GENERATED_DATA = ["SourceAMIName", "BuildRegion", "SourceAMI", "SourceAMICreationDate", "SourceAMIOwner",
                  "SourceAMIOwnerName"]


def packer_uuid() -> str:
    """A UUID written as Packer's uuid function writes it (8-4-4-4-12 hex)."""
    return str(uuid.uuid4())


@dataclass
class AmiArtifact:
    amis: dict[str, str]
    builder_id: str = BUILDER_ID

    def id(self) -> str:
        return ",".join(sorted(f"{region}:{ami}" for region, ami in self.amis.items()))

    def string(self) -> str:
        lines = sorted(f"{region}: {ami}" for region, ami in self.amis.items())
        return "AMIs were created:\n" + "\n".join(lines) + "\n"


class EBSBuilder(Builder[EBSConfig]):
    Config = EBSConfig
    description = "Creates an EBS-backed AMI by launching a source AMI, provisioning it and re-packaging it."

    def __init__(self) -> None:
        self.config = EBSConfig()
        self.info = BuildInfo()
        self.aws = self.config.session()

    def prepare(self, config: EBSConfig, info: BuildInfo) -> list[str]:
        warm_up(("ec2", "sts") if not config.skip_credential_validation else ("ec2",))
        interpolate_config(config, info, exclude=RUN_TIME_RENDERED)
        problems = []
        diags = Diagnostics()
        config.check(diags)
        problems.extend(diags.items)
        if config.communicator == "ssh" and not config.ssh_username:
            pass  # validate_communicator says so
        try:
            config.validate_communicator(require_host=False)
        except ConfigError as exc:
            problems.extend(exc.diagnostics)
        errors = [d for d in problems if d.severity == "error"]
        if errors:
            raise ConfigError(problems)
        self.config, self.info = config, info
        self.aws = config.session()
        warnings: list[str] = [d.summary for d in problems if d.severity == "warning"]
        if (config.communicator == "ssh" and not config.security_group_ids and config.security_group_filter is None
                and not config.temporary_security_group_source_cidrs
                and not config.temporary_security_group_source_public_ip):
            warnings.append(
                f"The temporary security group will allow SSH (port {config.ssh_port}) from 0.0.0.0/0, as in Packer. "
                "Narrow it with temporary_security_group_source_cidrs or "
                "temporary_security_group_source_public_ip, or use security_group_ids / security_group_filter.")
        return warnings

    def generated_data_names(self) -> list[str]:
        return list(GENERATED_DATA)

    def run(self, ctx: BuildContext) -> Artifact | None:
        config = self.config
        aws = self.aws
        state = StateBag()
        state.put(steps.AWS, aws)
        state.put(HOOK_DATA, {})
        if not config.skip_credential_validation:
            aws.validate_credentials()
        run_steps = [
            steps.StepPreValidate(config),
            steps.StepSourceAMIInfo(config),
            steps.StepNetworkInfo(config),
            steps.StepKeyPair(config, self.info),
            steps.StepSecurityGroup(config, self.info),
            steps.StepCleanupVolumes(config),
            steps.StepRunSpotInstance(config, self.info) if config.is_spot() else
            steps.StepRunSourceInstance(config, self.info),
            StepConnect(steps.connector(config)),
            steps.StepSetGeneratedData(config, self.info),
            StepProvision(),
            steps.StepCleanupTempKeys(config),
            steps.StepStopEBSBackedInstance(config),
            steps.StepModifyEBSBackedInstance(config),
            steps.StepDeregisterAMI(config),
            steps.StepCreateAMI(config, self.info),
            steps.StepAMIRegionCopy(config, self.info),
            steps.StepEnableDeprecation(config),
            steps.StepModifyAMIAttributes(config),
            steps.StepCreateTags(config, self.info),
            steps.StepSucceeded(),
        ]
        StepRunner(run_steps).run(ctx, state)
        if ERROR in state:
            error = state.get(ERROR)
            if isinstance(error, Cancelled) or ctx.cancelled:
                raise Cancelled()
            raise error if isinstance(error, BuildError) else BuildError(describe_error(error))
        ctx.check_cancelled()
        amis = state.get_or(steps.AMIS, {})
        for entry in state.get_or(steps.DELIVERED, []):
            entry.done()  # the AMIs are the build's result now, no longer leftovers
        if not amis:
            return None
        return self._artifact(aws.access, amis, state)

    def _artifact(self, access: AccessConfig, amis: dict[str, str], state: StateBag) -> Artifact:
        art = AmiArtifact(dict(amis))
        generated: dict[str, Any] = state.get_or(steps.GENERATED, {})

        def destroy() -> None:
            aws = access.session()
            problems = []
            for region, ami in sorted(amis.items()):
                try:
                    steps.destroy_ami(aws.ec2(region), ami, delete_snapshots=True)
                except Exception as exc:  # noqa: BLE001 - try every region
                    problems.append(f"{region}: {describe_error(exc)}")
            if problems:
                raise BuildError("; ".join(problems))

        return Artifact(builder_id=BUILDER_ID, id=art.id(), string=art.string(),
                        state={"generated_data": generated,
                               "atlas.artifact.metadata": {f"region.{r}": a for r, a in sorted(amis.items())}},
                        destroy_fn=destroy)

    @classmethod
    def cleanup_resource(cls, entry: JournalEntry, ui: Ui) -> None:
        """``kiln cleanup``: delete one resource a killed build left (credentials from the environment)."""
        delete_resource(entry, ui)
