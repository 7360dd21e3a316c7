"""amazon-ebs configuration: Packer's RunConfig, AMIConfig and block device settings, with their checks."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiln_sdk import CommunicatorConfig, Diagnostics, setting

from kiln_plugin_amazon.access import AccessConfig, known_regions

# Names the EC2 API accepts in Filters (DescribeImages, DescribeSubnets, ...): letters, digits, - : . _
_FILTER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._\-]*$")


def check_filters(diags: Diagnostics, filters: dict[str, str], path: list[str | int]) -> None:
    """EC2 filters: names as the API spells them, non-empty values."""
    for name, value in filters.items():
        if not _FILTER_NAME.match(name):
            diags.error(f"Invalid filter name: {name!r}", 'A filter name looks like "name", "tag:Os" or '
                        '"root-device-type".', [*path, name])
        if value == "":
            diags.error(f"Empty value for filter {name}", "Give the value to match (wildcards * and ?).",
                        [*path, name])


@dataclass
class AmiFilter:
    filters: dict[str, str] = setting(default_factory=dict, doc="EC2 DescribeImages filters (name = value).")
    owners: list[str] = setting(default_factory=list, doc='Owner account ids or aliases ("self", "amazon").')
    most_recent: bool = setting(default=False, doc="Take the newest of several matches instead of failing.")
    include_deprecated: bool = setting(default=False, doc="Also match deprecated images.")


@dataclass
class SubnetFilter:
    filters: dict[str, str] = setting(default_factory=dict, doc="EC2 DescribeSubnets filters.")
    most_free: bool = setting(default=False, doc="Take the subnet with the most free addresses.")
    random: bool = setting(default=False, doc="Take a random subnet of the matches.")


@dataclass
class Filter:
    filters: dict[str, str] = setting(default_factory=dict, doc="EC2 filters (name = value).")


@dataclass
class MetadataOptions:
    http_endpoint: str = setting(default="enabled", doc='"enabled" or "disabled".')
    http_tokens: str = setting(default="optional", doc='"optional" or "required" (IMDSv2).')
    http_put_response_hop_limit: int = setting(default=1, doc="Hops a metadata PUT response may travel.")
    instance_metadata_tags: str = setting(default="disabled", doc='"enabled" or "disabled".')


@dataclass
class BlockDevice:
    device_name: str = setting(default="", doc="The device name (e.g. /dev/sda1).")
    delete_on_termination: bool = setting(default=False, doc="Delete the volume when the instance ends.")
    encrypted: bool | None = setting(default=None, doc="Encrypt the volume.")
    iops: int = setting(default=0, doc="Provisioned IOPS (io1, io2, gp3).")
    no_device: bool = setting(default=False, doc="Suppress the device of the AMI's mapping.")
    snapshot_id: str = setting(default="", doc="Create the volume from this snapshot.")
    throughput: int = setting(default=0, doc="Throughput in MiB/s (gp3).")
    virtual_name: str = setting(default="", doc="An instance store (ephemeralN).")
    volume_type: str = setting(default="", doc="gp2, gp3, io1, io2, st1, sc1 or standard.")
    volume_size: int = setting(default=0, doc="Size in GiB.")
    kms_key_id: str = setting(default="", doc="The KMS key to encrypt the volume with.")

    def to_api(self) -> dict[str, Any]:
        mapping: dict[str, Any] = {"DeviceName": self.device_name}
        if self.no_device:
            mapping["NoDevice"] = ""
            return mapping
        if self.virtual_name:
            mapping["VirtualName"] = self.virtual_name
            return mapping
        ebs: dict[str, Any] = {"DeleteOnTermination": self.delete_on_termination}
        if self.volume_type:
            ebs["VolumeType"] = self.volume_type
        if self.volume_size:
            ebs["VolumeSize"] = self.volume_size
        if self.iops:
            ebs["Iops"] = self.iops
        if self.throughput:
            ebs["Throughput"] = self.throughput
        if self.snapshot_id:
            ebs["SnapshotId"] = self.snapshot_id
        if self.encrypted is not None:
            ebs["Encrypted"] = self.encrypted
        if self.kms_key_id:
            ebs["KmsKeyId"] = self.kms_key_id
        mapping["Ebs"] = ebs
        return mapping


# Settings rendered at run time with the build's data ({{ .SourceAMIName }}, {{ .BuildRegion }}...)
RUN_TIME_RENDERED = ("ami_description", "tags", "run_tags", "run_volume_tags", "snapshot_tags", "spot_tags")


@dataclass
class EBSConfig(AccessConfig, CommunicatorConfig):
    """amazon-ebs: builds an EBS-backed AMI from a source AMI (Packer's amazon-ebs)."""

    # run config
    instance_type: str = setting(default="", doc="The EC2 instance type to build on (e.g. t2.micro).")
    source_ami: str = setting(default="", doc="The AMI to start from.")
    source_ami_filter: AmiFilter | None = setting(default=None, doc="Find the source AMI by filters.")
    availability_zone: str = setting(default="", doc="The availability zone to launch in.")
    subnet_id: str = setting(default="", doc="The subnet to launch in.")
    subnet_filter: SubnetFilter | None = setting(default=None, doc="Find the subnet by filters.")
    vpc_id: str = setting(default="", doc="The VPC to launch in.")
    vpc_filter: Filter | None = setting(default=None, doc="Find the VPC by filters.")
    security_group_id: str = setting(default="", doc="An existing security group (instead of a temporary one).")
    security_group_ids: list[str] = setting(default_factory=list, doc="Existing security groups.")
    security_group_filter: Filter | None = setting(default=None, doc="Find existing security groups by filters.")
    temporary_security_group_source_cidrs: list[str] = setting(
        default_factory=list, doc="CIDRs the temporary security group admits (default 0.0.0.0/0).")
    temporary_security_group_source_public_ip: bool = setting(
        default=False, doc="Admit only this machine's public IP in the temporary security group.")
    associate_public_ip_address: bool | None = setting(default=None, doc="Give the instance a public IP.")
    iam_instance_profile: str = setting(default="", doc="The IAM instance profile to launch with.")
    user_data: str = setting(default="", doc="User data for the instance.")
    user_data_file: str = setting(default="", doc="A file whose content is the user data.")
    run_tags: dict[str, str] = setting(default_factory=dict, doc="Tags of the instance (and temporary resources).")
    run_volume_tags: dict[str, str] = setting(default_factory=dict, doc="Tags of the instance's volumes.")
    launch_block_device_mappings: list[BlockDevice] = setting(default_factory=list,
                                                              doc="Volumes of the build instance.")
    ebs_optimized: bool = setting(default=False, doc="Launch EBS-optimized.")
    shutdown_behavior: str = setting(default="stop", doc='"stop" or "terminate".')
    metadata_options: MetadataOptions | None = setting(default=None, doc="The instance metadata service options.")
    ssh_interface: str = setting(default="", doc="public_ip, private_ip, public_dns or private_dns.")
    disable_stop_instance: bool = setting(default=False, doc="Do not stop the instance (a provisioner does).")
    spot_price: str = setting(default="", doc='Build on a spot instance at most at this price ("auto": the '
                              "on-demand price).")
    spot_instance_types: list[str] = setting(default_factory=list, doc="Instance types the spot fleet may use.")
    spot_tags: dict[str, str] = setting(default_factory=dict, doc="Tags of the spot request (the launch template).")
    temporary_key_pair_type: str = setting(default="rsa", doc='The temporary key pair\'s type: "rsa" or "ed25519".')
    temporary_key_pair_bits: int = setting(default=0, doc="The temporary RSA key's size (default 2048).")
    enable_t2_unlimited: bool = setting(default=False, doc="Launch a t2 instance with unlimited CPU credits.")
    placement: dict[str, str] = setting(default_factory=dict, doc="tenancy / host_resource_group_arn.")
    # AMI config
    ami_name: str = setting(default="", doc="The name of the AMI (required, unique in its region).")
    ami_description: str = setting(default="", doc="The AMI's description.")
    ami_virtualization_type: str = setting(default="", doc='"hvm" or "paravirtual" (default: the source\'s).')
    ami_users: list[str] = setting(default_factory=list, doc="Accounts that may launch the AMI.")
    ami_groups: list[str] = setting(default_factory=list, doc='Groups that may launch it ("all": public).')
    ami_product_codes: list[str] = setting(default_factory=list, doc="Product codes of the AMI.")
    ami_regions: list[str] = setting(default_factory=list, doc="Copy the AMI to these regions.")
    tags: dict[str, str] = setting(default_factory=dict, doc="Tags of the AMI (every region).")
    snapshot_tags: dict[str, str] = setting(default_factory=dict, doc="Tags of the AMI's snapshots.")
    snapshot_users: list[str] = setting(default_factory=list, doc="Accounts that may create volumes from them.")
    snapshot_groups: list[str] = setting(default_factory=list, doc='Groups that may ("all").')
    force_deregister: bool = setting(default=False, doc="Deregister an existing AMI of the same name first.")
    force_delete_snapshot: bool = setting(default=False, doc="And delete its snapshots.")
    encrypt_boot: bool | None = setting(default=None, doc="Encrypt the AMI's boot volume.")
    kms_key_id: str = setting(default="", doc="The KMS key for encrypt_boot.")
    region_kms_key_ids: dict[str, str] = setting(default_factory=dict, doc="A KMS key per ami_regions region.")
    skip_save_build_region: bool = setting(default=False, doc="Do not keep an AMI in the build region.")
    skip_create_ami: bool = setting(default=False, doc="Run everything but the AMI creation.")
    ena_support: bool | None = setting(default=None, doc="Enable ENA networking on the AMI.")
    sriov_support: bool = setting(default=False, doc="Enable enhanced networking (SR-IOV).")
    imds_support: str = setting(default="", doc='"v2.0": instances from the AMI require IMDSv2.')
    deprecate_at: str = setting(default="", doc="RFC 3339 time at which the AMI becomes deprecated.")
    ami_block_device_mappings: list[BlockDevice] = setting(default_factory=list, doc="Volumes of the AMI.")
    snapshot_copy_duration_minutes: int = setting(default=0, doc="Not used by kiln (time-based copies).")

    def is_spot(self) -> bool:
        return self.spot_price not in ("", "0")

    def check(self, diags: Diagnostics) -> None:
        """Packer's Prepare checks for amazon-ebs; everything is an error with its attribute path."""
        self.validate_access(diags)
        if not self.ssh_interface and not self.ssh_host:
            pass
        if self.ssh_interface and self.ssh_interface not in ("public_ip", "private_ip", "public_dns", "private_dns"):
            diags.error(f"Unknown interface type: {self.ssh_interface}",
                        "Use public_ip, private_ip, public_dns or private_dns.", ["ssh_interface"])
        if not self.instance_type:
            diags.error("An instance_type must be specified", 'Set instance_type, e.g. "t2.micro".', ["instance_type"])
        if not self.source_ami and self.source_ami_filter is None:
            diags.error("A source_ami or source_ami_filter must be specified",
                        "Set source_ami to an AMI id, or source_ami_filter { ... } to find one.", ["source_ami"])
        if self.source_ami and self.source_ami_filter is not None:
            diags.error("source_ami and source_ami_filter conflict",
                        "Set only one: source_ami names the AMI, source_ami_filter finds one.", ["source_ami_filter"])
        if self.source_ami_filter is not None:
            f = self.source_ami_filter
            if not f.filters and not f.owners:
                diags.error("source_ami_filter is empty", "Give it filters and/or owners.", ["source_ami_filter"])
            check_filters(diags, f.filters, ["source_ami_filter", "filters"])
            for i, owner in enumerate(f.owners):
                if not owner:
                    diags.error("Empty owner in source_ami_filter", "An owner is an account id or alias.",
                                ["source_ami_filter", "owners", i])
        for name, flt in (("vpc_filter", self.vpc_filter), ("security_group_filter", self.security_group_filter),
                          ("subnet_filter", self.subnet_filter)):
            if flt is not None:
                for key in flt.filters:
                    if not _FILTER_NAME.match(key):
                        diags.error(f"Invalid filter name: {key!r}", "", [name, "filters", key])
        if self.subnet_filter is not None and self.subnet_filter.most_free and self.subnet_filter.random:
            diags.error("subnet_filter: most_free and random conflict", "Set only one.", ["subnet_filter"])
        if self.security_group_id and self.security_group_ids:
            diags.error("security_group_id and security_group_ids conflict", "Set only security_group_ids.",
                        ["security_group_id"])
        if self.security_group_id:
            self.security_group_ids = [self.security_group_id]
        if (self.temporary_security_group_source_cidrs or self.temporary_security_group_source_public_ip) and (
                self.security_group_ids or self.security_group_filter is not None):
            diags.error("temporary_security_group_source_cidrs / _source_public_ip need the temporary security group",
                        "They apply only when kiln creates the group: drop security_group_id(s)/_filter.",
                        ["temporary_security_group_source_cidrs"])
        if self.temporary_security_group_source_cidrs and self.temporary_security_group_source_public_ip:
            diags.error("temporary_security_group_source_cidrs and temporary_security_group_source_public_ip conflict",
                        "Set only one.", ["temporary_security_group_source_public_ip"])
        for i, cidr in enumerate(self.temporary_security_group_source_cidrs):
            import ipaddress

            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                diags.error(f"Invalid CIDR in temporary_security_group_source_cidrs: {cidr}", "",
                            ["temporary_security_group_source_cidrs", i])
        if self.user_data and self.user_data_file:
            diags.error("Only one of user_data or user_data_file can be specified.", "", ["user_data_file"])
        if self.user_data_file and not os.path.isfile(self.user_data_file):
            diags.error(f"user_data_file not found: {self.user_data_file}", "", ["user_data_file"])
        if self.shutdown_behavior not in ("stop", "terminate"):
            diags.error(f"shutdown_behavior only accepts 'stop' or 'terminate' values, not {self.shutdown_behavior!r}",
                        "", ["shutdown_behavior"])
        if self.metadata_options is not None:
            m = self.metadata_options
            if m.http_endpoint not in ("enabled", "disabled"):
                diags.error("metadata_options http_endpoint must be enabled or disabled", "",
                            ["metadata_options", "http_endpoint"])
            if m.http_tokens not in ("optional", "required"):
                diags.error("metadata_options http_tokens must be optional or required", "",
                            ["metadata_options", "http_tokens"])
            if not 1 <= m.http_put_response_hop_limit <= 64:
                diags.error("metadata_options http_put_response_hop_limit must be between 1 and 64", "",
                            ["metadata_options", "http_put_response_hop_limit"])
        if (self.spot_instance_types or self.spot_tags) and not self.is_spot():
            diags.error("spot_instance_types and spot_tags need spot_price",
                        'Set spot_price (e.g. "auto") to build on a spot instance.',
                        ["spot_instance_types" if self.spot_instance_types else "spot_tags"])
        if self.spot_price not in ("", "auto", "0"):
            try:
                float(self.spot_price)
            except ValueError:
                diags.error(f"Invalid spot_price: {self.spot_price}", 'Use a price in dollars ("0.05") or "auto".',
                            ["spot_price"])
        if self.is_spot() and self.disable_stop_instance:
            diags.error("disable_stop_instance cannot be used with spot_price", "A spot instance is never stopped.",
                        ["disable_stop_instance"])
        if self.placement:
            unknown = sorted(set(self.placement) - {"tenancy", "host_resource_group_arn", "host_id"})
            if unknown:
                diags.error(f"Unknown placement setting {unknown[0]}", "Use tenancy or host_resource_group_arn.",
                            ["placement", unknown[0]])
        if self.temporary_key_pair_type not in ("rsa", "ed25519"):
            diags.error(f"temporary_key_pair_type must be rsa or ed25519, not {self.temporary_key_pair_type!r}",
                        "", ["temporary_key_pair_type"])
        if self.communicator == "ssh":
            self.ssh_temporary_key_pair_type = self.temporary_key_pair_type
            self.ssh_temporary_key_pair_bits = self.temporary_key_pair_bits or (
                2048 if self.temporary_key_pair_type == "rsa" else 0)
            if self.ssh_keypair_name and not self.ssh_private_key_file and not self.ssh_agent_auth:
                diags.error("ssh_private_key_file must be provided or ssh_agent_auth enabled when ssh_keypair_name "
                            "is specified", "The key pair lets you in with its private key.", ["ssh_keypair_name"])
            if self.ssh_keypair_name and self.temporary_key_pair_name:
                diags.error("ssh_keypair_name and temporary_key_pair_name conflict",
                            "With ssh_keypair_name, no temporary key pair is created.", ["temporary_key_pair_name"])
        self._check_ami(diags)

    def _check_ami(self, diags: Diagnostics) -> None:
        if not self.ami_name:
            diags.error("ami_name must be specified", 'Set ami_name, e.g. "my-image {{timestamp}}".', ["ami_name"])
        elif not 3 <= len(self.ami_name) <= 128:
            diags.error("ami_name must be between 3 and 128 characters long", "", ["ami_name"])
        elif not re.fullmatch(r"[A-Za-z0-9()\[\] ./\-'@_]+", self.ami_name):
            diags.error("AMIName should only contain alphanumeric characters, parentheses (()), square brackets "
                        "([]), spaces ( ), periods (.), slashes (/), dashes (-), single quotes ('), at-signs (@), "
                        "or underscores(_). You can use the `clean_resource_name` template filter to automatically "
                        "clean your ami name.", "", ["ami_name"])
        regions = known_regions()
        seen: list[str] = []
        for i, region in enumerate(self.ami_regions):
            if not self.skip_region_validation and region not in regions:
                diags.error(f"Invalid region: {region}", f'"{region}" in ami_regions is not an AWS region kiln knows; '
                            "set skip_region_validation = true to use it anyway.", ["ami_regions", i])
            if region == self.region and not self.skip_save_build_region:
                continue  # Packer drops the build region from the copies
            if region not in seen:
                seen.append(region)
        self.ami_regions = seen
        for region in self.region_kms_key_ids:
            if region not in self.ami_regions and region != self.region:
                diags.error(f"Region {region} is in region_kms_key_ids but not in ami_regions",
                            "Add it to ami_regions, or remove its key.", ["region_kms_key_ids", region])
        if self.region_kms_key_ids and self.encrypt_boot is False:
            diags.error("region_kms_key_ids needs encrypt_boot", "Remove encrypt_boot = false.", ["encrypt_boot"])
        if self.kms_key_id and not self.encrypt_boot:
            diags.error("kms_key_id requires encrypt_boot to be set to true", "", ["kms_key_id"])
        if self.encrypt_boot and self.ami_users and not (self.kms_key_id or self.region_kms_key_ids):
            diags.error("Cannot share AMI with encrypted boot volume unless kms_key_id is set",
                        "The default key cannot be shared: set kms_key_id.", ["ami_users"])
        if self.ami_virtualization_type not in ("", "hvm", "paravirtual"):
            diags.error("ami_virtualization_type must be hvm or paravirtual", "", ["ami_virtualization_type"])
        if self.imds_support not in ("", "v2.0"):
            diags.error('imds_support must be "v2.0" or unset', "", ["imds_support"])
        if self.deprecate_at:
            try:
                datetime.fromisoformat(self.deprecate_at.replace("Z", "+00:00"))
            except ValueError:
                diags.error(f"Invalid deprecate_at: {self.deprecate_at}",
                            'Use an RFC 3339 time, e.g. "2030-01-01T00:00:00Z".', ["deprecate_at"])
        if self.skip_save_build_region and not self.ami_regions and not self.skip_create_ami:
            diags.error("skip_save_build_region needs ami_regions",
                        "Otherwise no AMI would be kept anywhere: add ami_regions.", ["skip_save_build_region"])
        for name in ("launch_block_device_mappings", "ami_block_device_mappings"):
            for i, dev in enumerate(getattr(self, name)):
                if not dev.device_name:
                    diags.error("The device name must be specified for every block device mapping", "",
                                [name, i, "device_name"])
                if dev.iops and dev.volume_type not in ("io1", "io2", "gp3"):
                    diags.error("iops is only valid for io1, io2 and gp3 volumes", "", [name, i, "iops"])
                if dev.throughput and dev.volume_type != "gp3":
                    diags.error("throughput is only valid for gp3 volumes", "", [name, i, "throughput"])
