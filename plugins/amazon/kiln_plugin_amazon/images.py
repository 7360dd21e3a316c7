"""Finding an AMI by id or by filters, as Packer's AmiFilterOptions does (amazon-ebs's source AMI and the
amazon-ami data source)."""

from __future__ import annotations

from typing import Any

from kiln_sdk import BuildError

from kiln_plugin_amazon.access import describe_error


def find_image(ec2: Any, filters: dict[str, str], owners: list[str], most_recent: bool,
               include_deprecated: bool = False, image_id: str = "") -> dict[str, Any]:
    """The one image ``image_id`` / ``filters`` + ``owners`` match (the newest with ``most_recent``)."""
    kwargs: dict[str, Any] = {}
    if image_id:
        kwargs["ImageIds"] = [image_id]
    if filters:
        kwargs["Filters"] = [{"Name": k, "Values": [v]} for k, v in sorted(filters.items())]
    if owners:
        kwargs["Owners"] = list(owners)
    if include_deprecated:
        kwargs["IncludeDeprecated"] = True
    try:
        images: list[dict[str, Any]] = ec2.describe_images(**kwargs)["Images"]
    except Exception as exc:  # noqa: BLE001
        raise BuildError(f"Error querying AMI: {describe_error(exc)}") from None
    if not images:
        if image_id:
            raise BuildError(f"No AMI was found matching filters: {{ ImageIds: [\"{image_id}\"] }}")
        raise BuildError(f"No AMI was found matching filters: {_go_filters(kwargs)}")
    if len(images) > 1 and not most_recent:
        raise BuildError("Your query returned more than one result. Please try a more specific search, "
                         "or set most_recent to true.")
    newest: dict[str, Any] = max(images, key=lambda i: str(i.get("CreationDate") or ""))
    return newest


def _go_filters(kwargs: dict[str, Any]) -> str:
    parts = []
    if "Filters" in kwargs:
        parts.append("Filters: [" + ", ".join(f'{{ Name: "{f["Name"]}", Values: ["{f["Values"][0]}"] }}'
                                              for f in kwargs["Filters"]) + "]")
    if "Owners" in kwargs:
        parts.append("Owners: [" + ", ".join(f'"{o}"' for o in kwargs["Owners"]) + "]")
    return "{ " + ", ".join(parts) + " }"
