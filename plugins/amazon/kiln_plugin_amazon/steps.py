"""amazon-ebs's steps, named and worded as Packer's (their names show in -on-error=abort messages)."""

from __future__ import annotations

import base64
import random
import string
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

from kiln_sdk import (
    COMMUNICATOR,
    ERROR,
    HOOK_DATA,
    Action,
    BuildError,
    BuildInfo,
    Communicator,
    Context,
    JournalEntry,
    StateBag,
    StateKey,
    Step,
    journal,
    render,
)

from kiln_plugin_amazon.access import Aws, describe_error, error_code, wait_for
from kiln_plugin_amazon.config import EBSConfig
from kiln_plugin_amazon.images import find_image
from kiln_plugin_amazon.resources import (
    IMAGE,
    INSTANCE,
    KEY_PAIR,
    LAUNCH_TEMPLATE,
    SECURITY_GROUP,
    delete_key_pair,
    delete_security_group,
    destroy_ami,
    instance_state,
    journal_attrs,
    snapshots_of,
    terminate_instance,
)

AWS: StateKey[Aws] = StateKey("aws")
SOURCE_IMAGE: StateKey[dict[str, Any]] = StateKey("source_image")
KEY_NAME: StateKey[str] = StateKey("key_name")
KEY_PAIR_OBJ: StateKey[Any] = StateKey("key_pair")
GROUP_IDS: StateKey[list[str]] = StateKey("security_group_ids")
VPC_ID: StateKey[str] = StateKey("vpc_id")
SUBNET_ID: StateKey[str] = StateKey("subnet_id")
AVAILABILITY_ZONE: StateKey[str] = StateKey("availability_zone")
INSTANCE_OBJ: StateKey[dict[str, Any]] = StateKey("instance")
AMIS: StateKey[dict[str, str]] = StateKey("amis")
IMAGES: StateKey[dict[str, dict[str, Any]]] = StateKey("images")  # region -> DescribeImages entry
GENERATED: StateKey[dict[str, Any]] = StateKey("generated_data")
DELIVERED: StateKey[list[JournalEntry]] = StateKey("delivered")  # journal entries of the result's AMIs
AMI_ENTRIES: StateKey[dict[str, JournalEntry]] = StateKey("ami_entries")
SUCCEEDED: StateKey[bool] = StateKey("succeeded")  # put by the last step

# Packer's waiter defaults (AWS SDK): delay seconds, attempts
INSTANCE_WAIT = (15.0, 40)
IMAGE_WAIT = (15.0, 40)
_QUICK = 1.0  # kiln polls the first few times faster: most waits on real AWS are short at the start


def _failed(ctx: Context, state: StateBag) -> bool:
    """Cleanups that remove the build's result run only when the build did not succeed."""
    return ERROR in state or ctx.cancelled or not state.get_or(SUCCEEDED, False)


def build_info(config: EBSConfig, state: StateBag) -> dict[str, Any]:
    """Packer's BuildInfoTemplate: the data ``{{ .SourceAMIName }}``, ``{{ .BuildRegion }}``... render with."""
    image = state.get_or(SOURCE_IMAGE, {})
    if not image:
        return {"BuildRegion": config.region}
    return {
        "BuildRegion": config.region,
        "SourceAMI": image.get("ImageId", ""),
        "SourceAMICreationDate": image.get("CreationDate", ""),
        "SourceAMIName": image.get("Name", ""),
        "SourceAMIOwner": image.get("OwnerId", ""),
        "SourceAMIOwnerName": image.get("ImageOwnerAlias", ""),
        "SourceAMITags": {t["Key"]: t["Value"] for t in image.get("Tags", [])},
    }


def render_tags(tags: dict[str, str], config: EBSConfig, state: StateBag, info: BuildInfo) -> dict[str, str]:
    data = build_info(config, state)
    return {render(k, data, info): render(v, data, info) for k, v in tags.items()}


def report_tags(ui: Any, tags: dict[str, str]) -> None:
    for k, v in sorted(tags.items()):
        ui.message(f'Adding tag: "{k}": "{v}"')


def api_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in sorted(tags.items())]


def _record(aws: Aws, resource_type: str, rid: str, region: str, info: BuildInfo) -> JournalEntry:
    return journal().record(resource_type, rid, kind="builder", component="ebs", build_name=info.build_name,
                            **journal_attrs(aws.access, region))


def _poll(config: EBSConfig, default: tuple[float, int]) -> tuple[float, int]:
    return config.polling(*default)


def _wait(ctx: Context, config: EBSConfig, what: str, check: Callable[[], Any], default: tuple[float, int]) -> Any:
    delay, attempts = _poll(config, default)
    quick = min(delay, _QUICK)
    # the first polls come quickly (AWS often needs only seconds), then Packer's delay
    first = wait_for(what, check, ctx.cancel_event, quick, min(5, attempts)) if attempts > 0 else None
    if first is not None:
        return first
    return wait_for(what, check, ctx.cancel_event, delay, max(attempts - 5, 1))


class StepPreValidate(Step):
    def __init__(self, config: EBSConfig) -> None:
        self.config = config

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        # as Packer (1.6.6 and the newer plugin): these skip the VPC check as well as the name's
        if c.force_deregister:
            ctx.ui.say("Force Deregister flag found, skipping prevalidating AMI Name")
            return Action.CONTINUE
        if c.skip_create_ami:  # worded as the newer amazon plugin, which has skip_create_ami
            ctx.ui.say("skip_create_ami was set; not prevalidating AMI name")
            return Action.CONTINUE
        ec2 = state.get(AWS).ec2()
        ctx.ui.say("Prevalidating any provided VPC information")
        if c.vpc_id and not c.subnet_id and c.subnet_filter is None:
            try:
                vpcs = ec2.describe_vpcs(VpcIds=[c.vpc_id])["Vpcs"]
            except Exception as exc:  # noqa: BLE001
                raise BuildError(f"Error retrieving VPC information for vpc_id {c.vpc_id}: {describe_error(exc)}") from None
            if vpcs and not vpcs[0].get("IsDefault"):
                raise BuildError("Error: subnet_id or subnet_filter must be provided for non-default VPCs")
        ctx.ui.say(f"Prevalidating AMI Name: {c.ami_name}")
        try:
            images = ec2.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": [c.ami_name]}])["Images"]
        except Exception as exc:  # noqa: BLE001
            raise BuildError(f"Error querying AMI: {describe_error(exc)}") from None
        if images:
            raise BuildError(f"Error: AMI Name: '{c.ami_name}' is used by an existing AMI: {images[0]['ImageId']}")
        return Action.CONTINUE


class StepSourceAMIInfo(Step):
    def __init__(self, config: EBSConfig) -> None:
        self.config = config

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        f = c.source_ami_filter
        if f is not None:
            image = find_image(state.get(AWS).ec2(), f.filters, f.owners, f.most_recent, f.include_deprecated,
                               image_id=c.source_ami)
        else:
            image = find_image(state.get(AWS).ec2(), {}, [], False, image_id=c.source_ami)
        ctx.ui.message(f"Found Image ID: {image['ImageId']}")
        if c.ena_support and image.get("VirtualizationType") != "hvm":
            raise BuildError(f"Cannot enable enhanced networking, source AMI '{image['ImageId']}' is not HVM")
        state.put(SOURCE_IMAGE, image)
        return Action.CONTINUE


class StepNetworkInfo(Step):
    def __init__(self, config: EBSConfig) -> None:
        self.config = config

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        ec2 = state.get(AWS).ec2()
        vpc_id, subnet_id, zone = c.vpc_id, c.subnet_id, c.availability_zone
        try:
            if not vpc_id and c.vpc_filter is not None and c.vpc_filter.filters:
                vpcs = ec2.describe_vpcs(Filters=_filters(c.vpc_filter.filters))["Vpcs"]
                if len(vpcs) != 1:
                    raise BuildError(f"Exactly one VPC should match the filter, but {len(vpcs)} VPC's was found "
                                     "matching filters")
                vpc_id = vpcs[0]["VpcId"]
                ctx.ui.message(f"Found VPC ID: {vpc_id}")
            if not subnet_id and c.subnet_filter is not None and c.subnet_filter.filters:
                filters = _filters(c.subnet_filter.filters)
                if vpc_id:
                    filters.append({"Name": "vpc-id", "Values": [vpc_id]})
                if zone:
                    filters.append({"Name": "availability-zone", "Values": [zone]})
                subnets = ec2.describe_subnets(Filters=filters)["Subnets"]
                if not subnets:
                    raise BuildError("No subnets found matching filters")
                if len(subnets) > 1 and not (c.subnet_filter.most_free or c.subnet_filter.random):
                    raise BuildError("Your filter matched 2 or more subnets. Please try a more specific search, "
                                     "or set random or most_free to true.")
                if c.subnet_filter.random:
                    chosen = random.choice(subnets)
                else:
                    chosen = max(subnets, key=lambda s: int(s.get("AvailableIpAddressCount", 0)))
                subnet_id = chosen["SubnetId"]
                ctx.ui.message(f"Found Subnet ID: {subnet_id}")
            if subnet_id and (not vpc_id or not zone):
                subnet = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]
                vpc_id = vpc_id or subnet["VpcId"]
                zone = zone or subnet["AvailabilityZone"]
        except BuildError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise BuildError(f"Error querying network information: {describe_error(exc)}") from None
        state.put(VPC_ID, vpc_id)
        state.put(SUBNET_ID, subnet_id)
        state.put(AVAILABILITY_ZONE, zone)
        return Action.CONTINUE


def _filters(filters: dict[str, str]) -> list[dict[str, Any]]:
    return [{"Name": k, "Values": [v]} for k, v in sorted(filters.items())]


class StepKeyPair(Step):
    def __init__(self, config: EBSConfig, info: BuildInfo) -> None:
        self.config = config
        self.info = info
        self.entry: JournalEntry | None = None
        self.name = ""

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        if c.communicator == "none":
            return Action.CONTINUE
        if c.ssh_private_key_file:
            ctx.ui.say("Using existing SSH private key")
            state.put(KEY_NAME, c.ssh_keypair_name)
            return Action.CONTINUE
        if c.ssh_agent_auth:
            if c.ssh_keypair_name:
                ctx.ui.say(f"Using SSH Agent for existing key pair {c.ssh_keypair_name}")
                state.put(KEY_NAME, c.ssh_keypair_name)
            else:
                ctx.ui.say("Using SSH Agent with key pair in source AMI")
            return Action.CONTINUE
        if c.ssh_password:
            return Action.CONTINUE  # Packer: a password login needs no key pair
        aws = state.get(AWS)
        self.name = c.temporary_key_pair_name or f"packer_{uuid.uuid4()}"
        ctx.ui.say(f"Creating temporary keypair: {self.name}")
        pair = c.temporary_key_pair(comment=self.name)
        kwargs: dict[str, Any] = {"KeyName": self.name, "PublicKeyMaterial": pair.public_key.encode()}
        tags = render_tags(c.run_tags, c, state, self.info)
        if tags:
            kwargs["TagSpecifications"] = [{"ResourceType": "key-pair", "Tags": api_tags(tags)}]
        self.entry = _record(aws, KEY_PAIR, self.name, c.region, self.info)  # the name is known: record first
        try:
            aws.ec2().import_key_pair(**kwargs)
        except Exception as exc:  # noqa: BLE001
            raise BuildError(f"Error creating temporary keypair: {describe_error(exc)}") from None
        state.put(KEY_NAME, self.name)
        state.put(KEY_PAIR_OBJ, pair)
        return Action.CONTINUE

    def cleanup(self, ctx: Context, state: StateBag) -> None:
        if self.entry is None:
            return
        ctx.ui.say("Deleting temporary keypair...")
        try:
            delete_key_pair(state.get(AWS).ec2(), self.name)
        except Exception as exc:  # noqa: BLE001
            ctx.ui.error(f"Error cleaning up keypair. Please delete the key manually: {self.name}: "
                         f"{describe_error(exc)}")
            return
        self.entry.done()


class StepSecurityGroup(Step):
    def __init__(self, config: EBSConfig, info: BuildInfo) -> None:
        self.config = config
        self.info = info
        self.entry: JournalEntry | None = None
        self.group_id = ""

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        if c.security_group_ids:
            state.put(GROUP_IDS, list(c.security_group_ids))
            return Action.CONTINUE
        aws = state.get(AWS)
        ec2 = aws.ec2()
        if c.security_group_filter is not None and c.security_group_filter.filters:
            filters = _filters(c.security_group_filter.filters)
            vpc = state.get_or(VPC_ID, "")
            if vpc:
                filters.append({"Name": "vpc-id", "Values": [vpc]})
            try:
                groups = ec2.describe_security_groups(Filters=filters)["SecurityGroups"]
            except Exception as exc:  # noqa: BLE001
                raise BuildError(f"Couldn't find security groups for filter: {describe_error(exc)}") from None
            if not groups:
                raise BuildError("No Security Groups found matching filters")
            ids = [g["GroupId"] for g in groups]
            ctx.ui.message(f"Found Security Group(s): {', '.join(ids)}")
            state.put(GROUP_IDS, ids)
            return Action.CONTINUE
        name = f"packer_{uuid.uuid4()}"
        ctx.ui.say(f"Creating temporary security group for this instance: {name}")
        kwargs: dict[str, Any] = {"GroupName": name, "Description": "Temporary group for Packer"}
        vpc_id = state.get_or(VPC_ID, "")
        if vpc_id:
            kwargs["VpcId"] = vpc_id
        tags = render_tags(c.run_tags, c, state, self.info)
        if tags:
            kwargs["TagSpecifications"] = [{"ResourceType": "security-group", "Tags": api_tags(tags)}]
        try:
            self.group_id = ec2.create_security_group(**kwargs)["GroupId"]
        except Exception as exc:  # noqa: BLE001
            raise BuildError(f"Error creating temporary security group: {describe_error(exc)}") from None
        self.entry = _record(aws, SECURITY_GROUP, self.group_id, c.region, self.info)
        state.put(GROUP_IDS, [self.group_id])
        if c.communicator == "none":
            return Action.CONTINUE
        cidrs = list(c.temporary_security_group_source_cidrs) or ["0.0.0.0/0"]
        if c.temporary_security_group_source_public_ip:
            cidrs = [f"{public_ip()}/32"]
        port = c.ssh_port
        ctx.ui.say(f"Authorizing access to port {port} from [{' '.join(cidrs)}] in the temporary security groups...")
        permissions = [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                        "IpRanges": [{"CidrIp": cidr} for cidr in cidrs if ":" not in cidr],
                        "Ipv6Ranges": [{"CidrIpv6": cidr} for cidr in cidrs if ":" in cidr]}]
        for attempt in range(10):  # a new group can take a moment to be visible (eventual consistency)
            try:
                ec2.authorize_security_group_ingress(GroupId=self.group_id, IpPermissions=permissions)
                break
            except Exception as exc:  # noqa: BLE001
                if error_code(exc) == "InvalidGroup.NotFound" and attempt < 9:
                    if ctx.cancel_event.wait(1.0):
                        break
                    continue
                raise BuildError(f"Error authorizing temporary security group: {describe_error(exc)}") from None
        return Action.CONTINUE

    def cleanup(self, ctx: Context, state: StateBag) -> None:
        if self.entry is None:
            return
        ctx.ui.say("Deleting temporary security group...")
        try:
            delete_security_group(state.get(AWS).ec2(), self.group_id)
        except Exception as exc:  # noqa: BLE001
            ctx.ui.error(f"Error cleaning up security group. Please delete the group manually: err: "
                         f"{describe_error(exc)}; security group ID: {self.group_id}")
            return
        self.entry.done()


def public_ip() -> str:
    """This machine's public IP, as Packer finds it (checkip.amazonaws.com)."""
    try:
        with urllib.request.urlopen("https://checkip.amazonaws.com", timeout=10) as resp:
            return str(resp.read().decode().strip())
    except OSError as exc:
        raise BuildError(f"Error getting current public IP: {exc}") from None


class StepCleanupVolumes(Step):
    """After termination: delete the launch volumes that do not go with the instance (delete_on_termination
    false, not kept for the AMI), as Packer's StepCleanupVolumes."""

    def __init__(self, config: EBSConfig) -> None:
        self.config = config

    def run(self, ctx: Context, state: StateBag) -> Action:
        return Action.CONTINUE

    def cleanup(self, ctx: Context, state: StateBag) -> None:
        instance = state.get_or(INSTANCE_OBJ, {})
        if not instance:
            return
        ctx.ui.say("Cleaning up any extra volumes...")
        keep = {d.device_name for d in self.config.launch_block_device_mappings if d.delete_on_termination}
        candidates = {d.device_name for d in self.config.launch_block_device_mappings
                      if not d.delete_on_termination} - keep
        volumes = [m["Ebs"]["VolumeId"] for m in instance.get("BlockDeviceMappings", [])
                   if m.get("DeviceName") in candidates and m.get("Ebs", {}).get("VolumeId")]
        if not volumes:
            ctx.ui.say("No volumes to clean up, skipping")
            return
        ec2 = state.get(AWS).ec2()
        for vol in volumes:
            ctx.ui.say(f"Destroying volume ({vol})...")
            try:
                ec2.delete_volume(VolumeId=vol)
            except Exception as exc:  # noqa: BLE001
                if error_code(exc) != "InvalidVolume.NotFound":
                    ctx.ui.error(f"Error deleting volume {vol}: {describe_error(exc)}")


class StepRunSourceInstance(Step):
    def __init__(self, config: EBSConfig, info: BuildInfo) -> None:
        self.config = config
        self.info = info
        self.entry: JournalEntry | None = None
        self.instance_id = ""

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        aws = state.get(AWS)
        ec2 = aws.ec2()
        image = state.get(SOURCE_IMAGE)
        ctx.ui.say("Launching a source AWS instance...")
        kwargs: dict[str, Any] = {"ImageId": image["ImageId"], "InstanceType": c.instance_type,
                                  "MinCount": 1, "MaxCount": 1,
                                  "InstanceInitiatedShutdownBehavior": c.shutdown_behavior,
                                  "ClientToken": str(uuid.uuid4())}
        key_name = state.get_or(KEY_NAME, "")
        if key_name:
            kwargs["KeyName"] = key_name
        # boto3 base64-encodes RunInstances' UserData itself: give it the text as it is
        if c.user_data_file:
            with open(c.user_data_file, "rb") as fh:
                kwargs["UserData"] = fh.read()
        elif c.user_data:
            kwargs["UserData"] = c.user_data
        groups = state.get_or(GROUP_IDS, [])
        subnet_id = state.get_or(SUBNET_ID, "")
        if c.associate_public_ip_address is not None and subnet_id:
            kwargs["NetworkInterfaces"] = [{"DeviceIndex": 0, "SubnetId": subnet_id, "Groups": groups,
                                            "AssociatePublicIpAddress": c.associate_public_ip_address,
                                            "DeleteOnTermination": True}]
        else:
            if groups:
                kwargs["SecurityGroupIds"] = groups
            if subnet_id:
                kwargs["SubnetId"] = subnet_id
        placement: dict[str, str] = {}
        zone = state.get_or(AVAILABILITY_ZONE, "")
        if zone:
            placement["AvailabilityZone"] = zone
        if c.placement.get("tenancy"):
            placement["Tenancy"] = c.placement["tenancy"]
        if c.placement.get("host_resource_group_arn"):
            placement["HostResourceGroupArn"] = c.placement["host_resource_group_arn"]
        if c.placement.get("host_id"):
            placement["HostId"] = c.placement["host_id"]
        if placement:
            kwargs["Placement"] = placement
        if c.iam_instance_profile:
            key = "Arn" if c.iam_instance_profile.startswith("arn:") else "Name"
            kwargs["IamInstanceProfile"] = {key: c.iam_instance_profile}
        if c.launch_block_device_mappings:
            kwargs["BlockDeviceMappings"] = [d.to_api() for d in c.launch_block_device_mappings]
        if c.ebs_optimized:
            kwargs["EbsOptimized"] = True
        if c.enable_t2_unlimited:
            kwargs["CreditSpecification"] = {"CpuCredits": "unlimited"}
        if c.metadata_options is not None:
            m = c.metadata_options
            kwargs["MetadataOptions"] = {"HttpEndpoint": m.http_endpoint, "HttpTokens": m.http_tokens,
                                         "HttpPutResponseHopLimit": m.http_put_response_hop_limit,
                                         "InstanceMetadataTags": m.instance_metadata_tags}
        run_tags = render_tags(c.run_tags, c, state, self.info)
        if "Name" not in run_tags:
            run_tags["Name"] = "Packer Builder"
        specs = [{"ResourceType": "instance", "Tags": api_tags(run_tags)}]
        volume_tags = render_tags(c.run_volume_tags, c, state, self.info)
        if volume_tags:
            specs.append({"ResourceType": "volume", "Tags": api_tags(volume_tags)})
        kwargs["TagSpecifications"] = specs
        try:
            reservation = ec2.run_instances(**kwargs)
        except Exception as exc:  # noqa: BLE001
            raise BuildError(f"Error launching source instance: {describe_error(exc)}") from None
        self.instance_id = reservation["Instances"][0]["InstanceId"]
        self.entry = _record(aws, INSTANCE, self.instance_id, c.region, self.info)
        ctx.ui.say("Adding tags to source instance")
        report_tags(ctx.ui, run_tags)
        report_tags(ctx.ui, volume_tags)  # Packer 1.6.6: right after the instance's, under the same line
        ctx.ui.message(f"Instance ID: {self.instance_id}")
        ctx.ui.say(f"Waiting for instance ({self.instance_id}) to become ready...")

        def running() -> dict[str, Any] | None:
            name, inst = instance_state(ec2, self.instance_id)
            if name in ("terminated", "shutting-down", "stopping", "stopped"):
                reason = inst.get("StateReason", {}).get("Message", name)
                raise BuildError(f"Error waiting for instance ({self.instance_id}) to become ready: "
                                 f"instance is {name}: {reason}")
            return inst if name == "running" else None

        instance = _wait(ctx, c, f"instance ({self.instance_id}) to become ready", running, INSTANCE_WAIT)
        state.put(INSTANCE_OBJ, instance)
        return Action.CONTINUE

    def cleanup(self, ctx: Context, state: StateBag) -> None:
        if self.entry is None:
            return
        ctx.ui.say("Terminating the source AWS instance...")
        delay, attempts = _poll(self.config, INSTANCE_WAIT)
        try:
            # cleanup runs even after a cancellation: wait for the termination regardless
            terminate_instance(state.get(AWS).ec2(), self.instance_id, None, min(delay, 2.0),
                               max(attempts, 1) * max(int(delay // 2), 1))
        except Exception as exc:  # noqa: BLE001
            ctx.ui.error(f"Error terminating instance, may still be around: {describe_error(exc)}")
            return
        self.entry.done()


class StepRunSpotInstance(StepRunSourceInstance):
    """spot_price: a launch template and an instant spot fleet of one instance (Packer 1.6.6's way), its lines;
    the launch template goes in the journal too, and is deleted after the instance."""

    def __init__(self, config: EBSConfig, info: BuildInfo) -> None:
        super().__init__(config, info)
        self.template_entry: JournalEntry | None = None
        self.template_name = ""

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        aws = state.get(AWS)
        ec2 = aws.ec2()
        image = state.get(SOURCE_IMAGE)
        ctx.ui.say("Launching a spot AWS instance...")
        ctx.ui.say("Interpolating tags for spot instance...")
        run_tags = render_tags(c.run_tags, c, state, self.info)
        if "Name" not in run_tags:
            run_tags["Name"] = "Packer Builder"
        report_tags(ctx.ui, run_tags)
        volume_tags = render_tags(c.run_volume_tags, c, state, self.info)
        report_tags(ctx.ui, volume_tags)
        spot_tags = render_tags(c.spot_tags, c, state, self.info)
        ctx.ui.message("Loading User Data File...")
        user_data = b""
        if c.user_data_file:
            with open(c.user_data_file, "rb") as fh:
                user_data = fh.read()
        elif c.user_data:
            user_data = c.user_data.encode()
        ctx.ui.message("Creating Spot Fleet launch template...")
        spot_options: dict[str, Any] = {"SpotInstanceType": "one-time"}
        if c.spot_price != "auto":
            spot_options["MaxPrice"] = c.spot_price
        data: dict[str, Any] = {"ImageId": image["ImageId"], "DisableApiTermination": False,
                                "EbsOptimized": c.ebs_optimized,
                                "InstanceMarketOptions": {"MarketType": "spot", "SpotOptions": spot_options}}
        if user_data:  # a launch template's user data is base64 (boto3 encodes only RunInstances')
            data["UserData"] = base64.b64encode(user_data).decode()
        key_name = state.get_or(KEY_NAME, "")
        if key_name:
            data["KeyName"] = key_name
        zone = state.get_or(AVAILABILITY_ZONE, "")
        if zone:
            data["Placement"] = {"AvailabilityZone": zone}
        if c.iam_instance_profile:
            data["IamInstanceProfile"] = {"Arn" if c.iam_instance_profile.startswith("arn:") else "Name":
                                          c.iam_instance_profile}
        if c.launch_block_device_mappings:
            data["BlockDeviceMappings"] = [d.to_api() for d in c.launch_block_device_mappings]
        if c.metadata_options is not None:
            m = c.metadata_options
            data["MetadataOptions"] = {"HttpEndpoint": m.http_endpoint, "HttpTokens": m.http_tokens,
                                       "HttpPutResponseHopLimit": m.http_put_response_hop_limit}
        groups = state.get_or(GROUP_IDS, [])
        subnet_id = state.get_or(SUBNET_ID, "")
        interface: dict[str, Any] = {"DeviceIndex": 0, "DeleteOnTermination": True, "Groups": groups}
        if subnet_id:
            interface["SubnetId"] = subnet_id
        if c.associate_public_ip_address is not None:
            interface["AssociatePublicIpAddress"] = c.associate_public_ip_address
        data["NetworkInterfaces"] = [interface]
        specs = [{"ResourceType": "instance", "Tags": api_tags(run_tags)}]
        if volume_tags:
            specs.append({"ResourceType": "volume", "Tags": api_tags(volume_tags)})
        data["TagSpecifications"] = specs
        self.template_name = "packer-fleet-launch-template-" + "".join(
            random.choice(string.ascii_letters + string.digits) for _ in range(7))
        template: dict[str, Any] = {"LaunchTemplateName": self.template_name, "LaunchTemplateData": data,
                                    "VersionDescription": "template generated by packer for launching spot instances"}
        if spot_tags:
            template["TagSpecifications"] = [{"ResourceType": "launch-template", "Tags": api_tags(spot_tags)}]
        self.template_entry = _record(aws, LAUNCH_TEMPLATE, self.template_name, c.region, self.info)
        try:
            ec2.create_launch_template(**template)
        except Exception as exc:  # noqa: BLE001
            raise BuildError(f"Error creating launch template for spot instance: {describe_error(exc)}") from None
        types = list(c.spot_instance_types) or [c.instance_type]
        fleet = {"Type": "instant", "ReplaceUnhealthyInstances": False,
                 "TargetCapacitySpecification": {"TotalTargetCapacity": 1, "DefaultTargetCapacityType": "spot"},
                 "LaunchTemplateConfigs": [{
                     "LaunchTemplateSpecification": {"LaunchTemplateName": self.template_name, "Version": "1"},
                     "Overrides": [{"InstanceType": t} for t in types]}]}
        try:
            created = ec2.create_fleet(**fleet)
        except Exception as exc:  # noqa: BLE001
            raise BuildError(f"Error waiting for fleet request: {describe_error(exc)}") from None
        ids = [i for group in created.get("Instances", []) for i in group.get("InstanceIds", [])]
        if not ids:
            reasons = "; ".join(e.get("ErrorMessage", "") for e in created.get("Errors", []))
            raise BuildError(f"Error waiting for fleet request ({created.get('FleetId', '')}) to become ready: "
                             f"{reasons or 'no instance was launched'}")
        self.instance_id = ids[0]
        self.entry = _record(aws, INSTANCE, self.instance_id, c.region, self.info)
        ctx.ui.message(f"Instance ID: {self.instance_id}")

        def running() -> dict[str, Any] | None:
            name, inst = instance_state(ec2, self.instance_id)
            if name in ("terminated", "shutting-down", "stopping", "stopped"):
                raise BuildError(f"Error waiting for instance ({self.instance_id}) to become ready: instance is {name}")
            return inst if name == "running" else None

        instance = _wait(ctx, c, f"instance ({self.instance_id}) to become ready", running, INSTANCE_WAIT)
        try:  # an instant fleet's instances do not always get the template's tags: tag it (as Packer)
            ec2.create_tags(Resources=[self.instance_id], Tags=api_tags(run_tags))
        except Exception as exc:  # noqa: BLE001
            raise BuildError(f"Error tagging source instance: {describe_error(exc)}") from None
        state.put(INSTANCE_OBJ, instance)
        return Action.CONTINUE

    def cleanup(self, ctx: Context, state: StateBag) -> None:
        super().cleanup(ctx, state)
        if self.template_entry is None:
            return
        try:
            state.get(AWS).ec2().delete_launch_template(LaunchTemplateName=self.template_name)
        except Exception as exc:  # noqa: BLE001
            if error_code(exc) != "InvalidLaunchTemplateName.NotFoundException":
                ctx.ui.error(f"Error deleting the spot launch template {self.template_name}: {describe_error(exc)}")
                return
        self.template_entry.done()


def ssh_host(config: EBSConfig, instance: dict[str, Any]) -> str:
    """Packer's SSHHost: ssh_host, else by ssh_interface, else public DNS, public IP, private IP."""
    if config.ssh_host:
        return config.ssh_host
    wanted = {"public_ip": "PublicIpAddress", "private_ip": "PrivateIpAddress", "public_dns": "PublicDnsName",
              "private_dns": "PrivateDnsName"}
    if config.ssh_interface:
        host = str(instance.get(wanted[config.ssh_interface]) or "")
        if not host:
            raise BuildError(f"couldn't determine address for instance: no {config.ssh_interface}")
        return host
    for key in ("PublicDnsName", "PublicIpAddress", "PrivateIpAddress"):
        if instance.get(key):
            return str(instance[key])
    raise BuildError("couldn't determine address for instance")


def connector(config: EBSConfig) -> Callable[[Context, StateBag], Communicator | None]:
    def connect(ctx: Context, state: StateBag) -> Communicator | None:
        if config.communicator == "none":
            return None
        host = ssh_host(config, state.get(INSTANCE_OBJ))
        ctx.ui.say(f"Using {config.communicator} communicator to connect: {host}")
        pair = state.get_or(KEY_PAIR_OBJ, None)
        try:
            return config.open_communicator(host=host, extra_keys=[pair.pkey] if pair is not None else None,
                                            cancel=ctx.cancel_event, say=ctx.ui.say)
        except BuildError:
            raise
        except Exception as exc:  # noqa: BLE001 - refused, authentication failed, timeout
            ctx.check_cancelled()
            raise BuildError(f"Error waiting for SSH: {exc}") from exc

    return connect


class StepSetGeneratedData(Step):
    """The build's data for provisioners (build.*, {{ .SourceAMI }}...) and Packer's provision hook data."""

    def __init__(self, config: EBSConfig, info: BuildInfo) -> None:
        self.config = config
        self.info = info

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        data = build_info(c, state)
        generated = {k: data.get(k, "") for k in ("SourceAMIName", "BuildRegion", "SourceAMI",
                                                   "SourceAMICreationDate", "SourceAMIOwner", "SourceAMIOwnerName")}
        state.put(GENERATED, generated)
        instance = state.get_or(INSTANCE_OBJ, {})
        pair = state.get_or(KEY_PAIR_OBJ, None)
        hook: dict[str, Any] = {**generated, "ID": instance.get("InstanceId", ""), "ConnType": c.communicator,
                                "PackerHTTPIP": "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER",
                                "PackerHTTPPort": "ERR_HTTP_PORT_NOT_IMPLEMENTED_BY_BUILDER",
                                "PackerHTTPAddr": "ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER"}
        if c.communicator == "ssh":
            hook.update(Host=ssh_host(c, instance), Port=c.ssh_port, User=c.ssh_username, Password=c.ssh_password,
                        SSHPublicKey=pair.public_key if pair is not None else "",
                        SSHPrivateKey=pair.private_pem if pair is not None else "",
                        SSHPrivateKeyFile=c.ssh_private_key_file, SSHAgentAuth=c.ssh_agent_auth, WinRMPassword="")
        state.put(HOOK_DATA, hook)
        return Action.CONTINUE


class StepCleanupTempKeys(Step):
    """ssh_clear_authorized_keys: remove the temporary public key from the machine before it is imaged."""

    def __init__(self, config: EBSConfig) -> None:
        self.config = config

    def run(self, ctx: Context, state: StateBag) -> Action:
        pair = state.get_or(KEY_PAIR_OBJ, None)
        comm = state.get_or(COMMUNICATOR, None)
        if not self.config.ssh_clear_authorized_keys or pair is None or comm is None:
            return Action.CONTINUE
        ctx.ui.say("Trying to remove ephemeral keys from authorized_keys files")
        clear = getattr(comm, "clear_authorized_keys", None)
        if clear is not None:
            clear(pair.public_key)
        return Action.CONTINUE


class StepStopEBSBackedInstance(Step):
    def __init__(self, config: EBSConfig) -> None:
        self.config = config

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        if c.is_spot():
            return Action.CONTINUE  # as Packer: a spot instance is not stopped (it could not be started again)
        ec2 = state.get(AWS).ec2()
        instance_id = state.get(INSTANCE_OBJ)["InstanceId"]
        if c.disable_stop_instance:
            ctx.ui.say("Automatic instance stop disabled. Please stop instance manually.")
        else:
            ctx.ui.say("Stopping the source instance...")
            ctx.ui.message("Stopping instance")
            try:
                ec2.stop_instances(InstanceIds=[instance_id])
            except Exception as exc:  # noqa: BLE001
                raise BuildError(f"Error stopping instance: {describe_error(exc)}") from None
        ctx.ui.say("Waiting for the instance to stop...")

        def stopped() -> bool | None:
            name, _ = instance_state(ec2, instance_id)
            if name in ("terminated", "shutting-down"):
                raise BuildError(f"Error waiting for instance to stop: instance is {name}")
            return True if name == "stopped" else None

        _wait(ctx, c, "instance to stop", stopped, INSTANCE_WAIT)
        return Action.CONTINUE


class StepModifyEBSBackedInstance(Step):
    def __init__(self, config: EBSConfig) -> None:
        self.config = config

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        instance_id = state.get(INSTANCE_OBJ)["InstanceId"]
        ec2 = state.get(AWS).ec2()
        try:
            if c.sriov_support:
                ctx.ui.say("Enabling Enhanced Networking (SR-IOV)...")
                ec2.modify_instance_attribute(InstanceId=instance_id, SriovNetSupport={"Value": "simple"})
            if c.ena_support is not None:
                ctx.ui.say(f"{'Enabling' if c.ena_support else 'Disabling'} Enhanced Networking (ENA)...")
                ec2.modify_instance_attribute(InstanceId=instance_id, EnaSupport={"Value": bool(c.ena_support)})
        except Exception as exc:  # noqa: BLE001
            raise BuildError(f"Error enabling Enhanced Networking on {instance_id}: {describe_error(exc)}") from None
        return Action.CONTINUE


class StepDeregisterAMI(Step):
    """force_deregister: remove the AMIs of the same name (and with force_delete_snapshot their snapshots)."""

    def __init__(self, config: EBSConfig) -> None:
        self.config = config

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        if not c.force_deregister or c.skip_create_ami:
            return Action.CONTINUE
        aws = state.get(AWS)
        for region in [c.region, *c.ami_regions]:
            ec2 = aws.ec2(region)
            try:
                images = ec2.describe_images(Owners=["self"],
                                             Filters=[{"Name": "name", "Values": [c.ami_name]}])["Images"]
                for image in images:
                    ec2.deregister_image(ImageId=image["ImageId"])
                    ctx.ui.say(f"Deregistered AMI {c.ami_name}, id: {image['ImageId']}")
                    if c.force_delete_snapshot:
                        for snap in snapshots_of(image):
                            ec2.delete_snapshot(SnapshotId=snap)
                            ctx.ui.say(f"Deleted snapshot: {snap}")
            except Exception as exc:  # noqa: BLE001
                raise BuildError(f"Error deregistering existing AMI: {describe_error(exc)}") from None
        return Action.CONTINUE


def _wait_image(ctx: Context, config: EBSConfig, ec2: Any, ami: str) -> dict[str, Any]:
    def available() -> dict[str, Any] | None:
        try:
            images = ec2.describe_images(ImageIds=[ami])["Images"]
        except Exception as exc:  # noqa: BLE001
            if error_code(exc) == "InvalidAMIID.NotFound":
                return None  # not visible yet
            raise
        if not images:
            return None
        image = images[0]
        if image.get("State") == "failed":
            reason = image.get("StateReason", {}).get("Message", "")
            raise BuildError(f"Error waiting for AMI: AMI {ami} failed: {reason}")
        return image if image.get("State") == "available" else None

    try:
        return _wait(ctx, config, f"AMI ({ami})", available, IMAGE_WAIT)  # type: ignore[no-any-return]
    except BuildError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise BuildError(f"Error waiting for AMI: {describe_error(exc)}") from None


def _remember_ami(state: StateBag, region: str, ami: str, image: dict[str, Any] | None, entry: JournalEntry) -> None:
    amis: dict[str, str] = state.get_or(AMIS, {})
    state.put(AMIS, {**amis, region: ami})
    if image is not None:
        images: dict[str, dict[str, Any]] = state.get_or(IMAGES, {})
        state.put(IMAGES, {**images, region: image})
    entries: dict[str, JournalEntry] = state.get_or(AMI_ENTRIES, {})
    state.put(AMI_ENTRIES, {**entries, region: entry})


def _forget_ami(state: StateBag, region: str) -> None:
    amis: dict[str, str] = {k: v for k, v in state.get_or(AMIS, {}).items() if k != region}
    images: dict[str, dict[str, Any]] = {k: v for k, v in state.get_or(IMAGES, {}).items() if k != region}
    entries: dict[str, JournalEntry] = {k: v for k, v in state.get_or(AMI_ENTRIES, {}).items() if k != region}
    state.put(AMIS, amis)
    state.put(IMAGES, images)
    state.put(AMI_ENTRIES, entries)


def _destroy_recorded(ctx: Context, state: StateBag, region: str) -> None:
    ami = state.get_or(AMIS, {}).get(region)
    entry = state.get_or(AMI_ENTRIES, {}).get(region)
    if not ami:
        return
    try:
        destroy_ami(state.get(AWS).ec2(region), ami, delete_snapshots=True)
    except Exception as exc:  # noqa: BLE001
        ctx.ui.error(f"Error deregistering AMI {ami} in {region}, may still be around: {describe_error(exc)}")
        return
    if entry is not None:
        entry.done()
    _forget_ami(state, region)


class StepCreateAMI(Step):
    def __init__(self, config: EBSConfig, info: BuildInfo) -> None:
        self.config = config
        self.info = info

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        if c.skip_create_ami:
            ctx.ui.say("Skipping AMI creation...")
            return Action.CONTINUE
        aws = state.get(AWS)
        ec2 = aws.ec2()
        instance_id = state.get(INSTANCE_OBJ)["InstanceId"]
        name = c.ami_name
        if c.encrypt_boot or c.skip_save_build_region:
            # an intermediate AMI (its encrypted copy, or the copies elsewhere, are the result): as Packer, a
            # random name, so that the copy can take ami_name in the same region
            name = "".join(random.choice(string.ascii_letters + string.digits) for _ in range(7))
        ctx.ui.say(f"Creating AMI {name} from instance {instance_id}")
        kwargs: dict[str, Any] = {"InstanceId": instance_id, "Name": name}
        if c.ami_description:
            kwargs["Description"] = render(c.ami_description, build_info(c, state), self.info)
        if c.ami_block_device_mappings:
            kwargs["BlockDeviceMappings"] = [d.to_api() for d in c.ami_block_device_mappings]
        try:
            ami = ec2.create_image(**kwargs)["ImageId"]
        except Exception as exc:  # noqa: BLE001
            raise BuildError(f"Error creating AMI: {describe_error(exc)}") from None
        entry = _record(aws, IMAGE, ami, c.region, self.info)
        _remember_ami(state, c.region, ami, None, entry)
        ctx.ui.message(f"AMI: {ami}")
        ctx.ui.say("Waiting for AMI to become ready...")
        image = _wait_image(ctx, c, ec2, ami)
        _remember_ami(state, c.region, ami, image, entry)
        if c.imds_support:
            try:
                ec2.modify_image_attribute(ImageId=ami, ImdsSupport={"Value": c.imds_support})
            except Exception as exc:  # noqa: BLE001
                raise BuildError(f"Error setting imds_support on AMI {ami}: {describe_error(exc)}") from None
        return Action.CONTINUE

    def cleanup(self, ctx: Context, state: StateBag) -> None:
        if not _failed(ctx, state) or self.config.region not in state.get_or(AMIS, {}):
            return
        ctx.ui.say("Deregistering the AMI and deleting associated snapshots because of cancellation, or error...")
        _destroy_recorded(ctx, state, self.config.region)


class StepAMIRegionCopy(Step):
    def __init__(self, config: EBSConfig, info: BuildInfo) -> None:
        self.config = config
        self.info = info
        self.copied: list[str] = []

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        if c.skip_create_ami:
            ctx.ui.say("Skipping AMI region copy...")
            return Action.CONTINUE
        aws = state.get(AWS)
        source = state.get(AMIS)[c.region]
        regions = list(c.ami_regions)
        encrypt = bool(c.encrypt_boot)
        if encrypt:
            regions = [c.region, *[r for r in regions if r != c.region]]
        if not regions:
            return Action.CONTINUE
        ctx.ui.say(f"Copying/Encrypting AMI ({source}) to other regions...")
        pending: dict[str, str] = {}
        description = render(c.ami_description, build_info(c, state), self.info) if c.ami_description else ""
        for region in regions:
            ctx.ui.message(f"Copying to: {region}")
            kwargs: dict[str, Any] = {"SourceRegion": c.region, "SourceImageId": source, "Name": c.ami_name}
            if description:
                kwargs["Description"] = description
            if encrypt:
                kwargs["Encrypted"] = True
                key = c.region_kms_key_ids.get(region) or (c.kms_key_id if region == c.region else "")
                if key:
                    kwargs["KmsKeyId"] = key
            try:
                ami = aws.ec2(region).copy_image(**kwargs)["ImageId"]
            except Exception as exc:  # noqa: BLE001
                raise BuildError(f"Error Copying AMI ({source}) to region ({region}): {describe_error(exc)}") from None
            entry = _record(aws, IMAGE, ami, region, self.info)
            pending[region] = ami
            if region == c.region:
                # the encrypted copy replaces the build region's unencrypted AMI
                self._replace_intermediate(ctx, state)
            _remember_ami(state, region, ami, None, entry)
            self.copied.append(region)
        ctx.ui.message("Waiting for all copies to complete...")
        for region, ami in pending.items():
            image = _wait_image(ctx, c, aws.ec2(region), ami)
            entries = state.get_or(AMI_ENTRIES, {})
            _remember_ami(state, region, ami, image, entries[region])
        if c.skip_save_build_region and c.region in state.get_or(AMIS, {}) and c.region not in pending:
            ctx.ui.say(f"Deregistering the AMI in the build region ({c.region}): skip_save_build_region is set")
            _destroy_recorded(ctx, state, c.region)
        return Action.CONTINUE

    def _replace_intermediate(self, ctx: Context, state: StateBag) -> None:
        """The unencrypted AMI in the build region goes once its encrypted copy is made (Packer's order:
        after the copies; kiln keeps it until the copy exists, then removes it)."""
        self._intermediate = (state.get(AMIS)[self.config.region], state.get(AMI_ENTRIES)[self.config.region])

    def cleanup(self, ctx: Context, state: StateBag) -> None:
        intermediate = getattr(self, "_intermediate", None)
        if intermediate is not None:
            ami, entry = intermediate
            ctx.ui.say("Deregistering the AMI and deleting unencrypted temporary AMIs and snapshots")
            try:
                destroy_ami(state.get(AWS).ec2(self.config.region), ami, delete_snapshots=True)
                entry.done()
            except Exception as exc:  # noqa: BLE001
                ctx.ui.error(f"Error deregistering temporary AMI {ami}: {describe_error(exc)}")
        if not _failed(ctx, state):
            return
        for region in self.copied:
            if region != self.config.region:
                _destroy_recorded(ctx, state, region)


class StepEnableDeprecation(Step):
    def __init__(self, config: EBSConfig) -> None:
        self.config = config

    def run(self, ctx: Context, state: StateBag) -> Action:
        if self.config.skip_create_ami:
            ctx.ui.say("Skipping Enable AMI deprecation...")
            return Action.CONTINUE
        if not self.config.deprecate_at:  # (Packer 1.6.6 has no such step: no line)
            return Action.CONTINUE
        aws = state.get(AWS)
        for region, ami in sorted(state.get_or(AMIS, {}).items()):
            ctx.ui.say(f"Enabling deprecation on AMI ({ami}) in region {region!r} ...")
            try:
                aws.ec2(region).enable_image_deprecation(ImageId=ami, DeprecateAt=self.config.deprecate_at)
            except Exception as exc:  # noqa: BLE001
                raise BuildError(f"Error enable AMI deprecation: {describe_error(exc)}") from None
        return Action.CONTINUE


class StepModifyAMIAttributes(Step):
    def __init__(self, config: EBSConfig) -> None:
        self.config = config

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        if c.skip_create_ami:
            ctx.ui.say("Skipping AMI modify attributes...")
            return Action.CONTINUE
        if not (c.ami_users or c.ami_groups or c.ami_product_codes or c.snapshot_users or c.snapshot_groups):
            return Action.CONTINUE
        aws = state.get(AWS)
        images = state.get_or(IMAGES, {})
        amis = sorted(state.get_or(AMIS, {}).items())
        # Packer's lines: every AMI, then every snapshot, one "Modifying: <attribute>" line per attribute.
        # kiln sets users and groups in one call, and gives the description to CreateImage / CopyImage.
        ami_attributes = [name for name, on in (("groups", c.ami_groups), ("users", c.ami_users),
                                                ("product codes", c.ami_product_codes)) if on]
        snapshot_attributes = [name for name, on in (("groups", c.snapshot_groups), ("users", c.snapshot_users)) if on]
        try:
            for region, ami in amis:
                if not ami_attributes:
                    break
                ec2 = aws.ec2(region)
                ctx.ui.say(f"Modifying attributes on AMI ({ami})...")
                for name in ami_attributes:
                    ctx.ui.message(f"Modifying: {name}")
                if c.ami_users or c.ami_groups:
                    add = [{"UserId": u} for u in c.ami_users] + [{"Group": g} for g in c.ami_groups]
                    ec2.modify_image_attribute(ImageId=ami, LaunchPermission={"Add": add})
                if c.ami_product_codes:
                    ec2.modify_image_attribute(ImageId=ami, ProductCodes=list(c.ami_product_codes))
            for region, _ in amis:
                if not snapshot_attributes:
                    break
                ec2 = aws.ec2(region)
                for snap in snapshots_of(images.get(region, {})):
                    ctx.ui.say(f"Modifying attributes on snapshot ({snap})...")
                    for name in snapshot_attributes:
                        ctx.ui.message(f"Modifying: {name}")
                    add = [{"UserId": u} for u in c.snapshot_users] + [{"Group": g} for g in c.snapshot_groups]
                    ec2.modify_snapshot_attribute(SnapshotId=snap, CreateVolumePermission={"Add": add})
        except Exception as exc:  # noqa: BLE001
            raise BuildError(f"Error modify AMI attributes: {describe_error(exc)}") from None
        return Action.CONTINUE


class StepCreateTags(Step):
    def __init__(self, config: EBSConfig, info: BuildInfo) -> None:
        self.config = config
        self.info = info

    def run(self, ctx: Context, state: StateBag) -> Action:
        c = self.config
        if c.skip_create_ami:
            ctx.ui.say("Skipping AMI create tags...")
            return Action.CONTINUE
        if not c.tags and not c.snapshot_tags:
            return Action.CONTINUE
        aws = state.get(AWS)
        images = state.get_or(IMAGES, {})
        ami_tags = render_tags(c.tags, c, state, self.info)
        snap_tags = render_tags(c.snapshot_tags, c, state, self.info)
        for region, ami in sorted(state.get_or(AMIS, {}).items()):
            ec2 = aws.ec2(region)
            ctx.ui.say(f"Adding tags to AMI ({ami})...")
            snaps = snapshots_of(images.get(region, {}))
            for snap in snaps:
                ctx.ui.say(f"Tagging snapshot: {snap}")
            ctx.ui.say("Creating AMI tags")
            report_tags(ctx.ui, ami_tags)
            ctx.ui.say("Creating snapshot tags")
            report_tags(ctx.ui, snap_tags)
            try:
                # as Packer: the snapshots get the AMI's tags too, snapshot_tags override them
                if ami_tags:
                    ec2.create_tags(Resources=[ami, *snaps], Tags=api_tags(ami_tags))
                if snap_tags and snaps:
                    ec2.create_tags(Resources=snaps, Tags=api_tags(snap_tags))
            except Exception as exc:  # noqa: BLE001
                raise BuildError(f"Error adding tags to Resources ({', '.join([ami, *snaps])}): "
                                 f"{describe_error(exc)}") from None
        return Action.CONTINUE


class StepSucceeded(Step):
    """The last step: from here on the AMIs are the build's result, no cleanup removes them."""

    def run(self, ctx: Context, state: StateBag) -> Action:
        state.put(SUCCEEDED, True)
        state.put(DELIVERED, list(state.get_or(AMI_ENTRIES, {}).values()))
        return Action.CONTINUE
