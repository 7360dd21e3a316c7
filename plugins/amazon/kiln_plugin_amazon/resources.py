"""Deleting the EC2 resources amazon-ebs creates: by the build's own cleanups, and by ``kiln cleanup`` for
what a killed build left in the cleanup journal. The journal holds ids, regions and endpoints only;
credentials come from the environment of ``kiln cleanup`` (AWS_* variables, a profile name the entry
recorded, the default chain)."""

from __future__ import annotations

import threading
import time
from typing import Any

from kiln_sdk import BuildError, Cancelled, JournalEntry, Ui

from kiln_plugin_amazon.access import AccessConfig, describe_error, error_code

KEY_PAIR = "ec2-key-pair"
SECURITY_GROUP = "ec2-security-group"
INSTANCE = "ec2-instance"
IMAGE = "ec2-image"
VOLUME = "ec2-volume"
LAUNCH_TEMPLATE = "ec2-launch-template"


def journal_attrs(access: AccessConfig, region: str) -> dict[str, Any]:
    """Where a resource lives, for the journal: never a credential."""
    attrs: dict[str, Any] = {"region": region}
    if access.custom_endpoint_ec2:
        attrs["endpoint"] = access.custom_endpoint_ec2
    if access.profile:
        attrs["profile"] = access.profile
    if access.skip_region_validation:
        attrs["skip_region_validation"] = True
    return attrs


def snapshots_of(image: dict[str, Any]) -> list[str]:
    return [m["Ebs"]["SnapshotId"] for m in image.get("BlockDeviceMappings", [])
            if m.get("Ebs", {}).get("SnapshotId")]


def destroy_ami(ec2: Any, ami: str, delete_snapshots: bool = True) -> list[str]:
    """Deregister ``ami`` and delete its snapshots; returns the snapshots deleted. A missing AMI is fine."""
    try:
        images = ec2.describe_images(ImageIds=[ami])["Images"]
    except Exception as exc:  # noqa: BLE001
        if error_code(exc) in ("InvalidAMIID.NotFound", "InvalidAMIID.Unavailable"):
            return []
        raise
    if not images:
        return []
    ec2.deregister_image(ImageId=ami)
    deleted = []
    if delete_snapshots:
        for snap in snapshots_of(images[0]):
            try:
                ec2.delete_snapshot(SnapshotId=snap)
                deleted.append(snap)
            except Exception as exc:  # noqa: BLE001
                if error_code(exc) != "InvalidSnapshot.NotFound":
                    raise
    return deleted


def instance_state(ec2: Any, instance_id: str) -> tuple[str, dict[str, Any]]:
    try:
        reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    except Exception as exc:  # noqa: BLE001
        if error_code(exc) == "InvalidInstanceID.NotFound":
            return "terminated", {}
        raise
    for r in reservations:
        for inst in r["Instances"]:
            return str(inst["State"]["Name"]), inst
    return "terminated", {}


def terminate_instance(ec2: Any, instance_id: str, cancel: threading.Event | None, delay: float, attempts: int) -> None:
    """Terminate and wait until terminated (the security group can only go then)."""
    try:
        ec2.terminate_instances(InstanceIds=[instance_id])
    except Exception as exc:  # noqa: BLE001
        if error_code(exc) != "InvalidInstanceID.NotFound":
            raise
        return
    for attempt in range(max(attempts, 1)):
        state, _ = instance_state(ec2, instance_id)
        if state == "terminated":
            return
        if attempt + 1 < attempts:
            if cancel is not None and cancel.wait(delay):
                raise Cancelled()
            if cancel is None:
                time.sleep(delay)
    raise BuildError(f"Error waiting for instance ({instance_id}) to terminate: ResourceNotReady: exceeded wait attempts")


def delete_security_group(ec2: Any, group_id: str, tries: int = 40, delay: float = 2.0) -> None:
    """Delete, retrying while a terminating instance still holds the group (DependencyViolation)."""
    for attempt in range(tries):
        try:
            ec2.delete_security_group(GroupId=group_id)
            return
        except Exception as exc:  # noqa: BLE001
            code = error_code(exc)
            if code == "InvalidGroup.NotFound":
                return
            if code != "DependencyViolation" or attempt + 1 == tries:
                raise
            time.sleep(delay)


def delete_key_pair(ec2: Any, name: str) -> None:
    ec2.delete_key_pair(KeyName=name)  # deleting a missing key pair succeeds in EC2


def delete_resource(entry: JournalEntry, ui: Ui) -> None:
    """Remove one journal entry's resource (kiln cleanup); raise with the AWS error code when it fails."""
    access = AccessConfig(region=str(entry.attrs.get("region", "")),
                          custom_endpoint_ec2=str(entry.attrs.get("endpoint", "")),
                          profile=str(entry.attrs.get("profile", "")), skip_metadata_api_check=False)
    ec2 = access.session().ec2(access.region)
    rid = entry.resource_id
    try:
        if entry.resource_type == INSTANCE:
            ui.say(f"Terminating instance {rid} in {access.region}...")
            terminate_instance(ec2, rid, None, 2.0, 150)
        elif entry.resource_type == SECURITY_GROUP:
            ui.say(f"Deleting security group {rid} in {access.region}...")
            delete_security_group(ec2, rid)
        elif entry.resource_type == KEY_PAIR:
            ui.say(f"Deleting key pair {rid} in {access.region}...")
            delete_key_pair(ec2, rid)
        elif entry.resource_type == IMAGE:
            ui.say(f"Deregistering AMI {rid} in {access.region} and deleting its snapshots...")
            destroy_ami(ec2, rid, delete_snapshots=True)
        elif entry.resource_type == LAUNCH_TEMPLATE:
            ui.say(f"Deleting launch template {rid} in {access.region}...")
            try:
                ec2.delete_launch_template(LaunchTemplateName=rid)
            except Exception as exc:  # noqa: BLE001
                if error_code(exc) != "InvalidLaunchTemplateName.NotFoundException":
                    raise
        elif entry.resource_type == VOLUME:
            ui.say(f"Deleting volume {rid} in {access.region}...")
            try:
                ec2.delete_volume(VolumeId=rid)
            except Exception as exc:  # noqa: BLE001
                if error_code(exc) != "InvalidVolume.NotFound":
                    raise
        else:
            raise BuildError(f"unknown resource type {entry.resource_type!r}")
    except BuildError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise BuildError(describe_error(exc)) from None
