"""The prepared state of a run: every component started, decoded against its schema and prepared."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiln_sdk.components import BuildInfo
from kiln_sdk.schema import Schema

from kiln.template.model import BuildSpec, ComponentSpec, Decoded, PostProcessorSpec, ProvisionerSpec


@dataclass
class PreparedComponent:
    kind: str
    spec: ComponentSpec
    client: Any
    schema: Schema
    decoded: Decoded
    config: dict[str, Any]  # what Prepare/Configure accepted
    info: BuildInfo
    generated_data: list[str] = field(default_factory=list)  # builders: their build.* names


@dataclass
class PreparedProvisioner:
    spec: ProvisionerSpec
    component: PreparedComponent


@dataclass
class PreparedPostProcessor:
    spec: PostProcessorSpec
    component: PreparedComponent


@dataclass
class PreparedBuild:
    spec: BuildSpec
    info: BuildInfo
    builder: PreparedComponent
    generated_data: list[str] = field(default_factory=list)
    provisioners: list[PreparedProvisioner] = field(default_factory=list)
    error_cleanup: PreparedProvisioner | None = None
    chains: list[list[PreparedPostProcessor]] = field(default_factory=list)
    build_data: dict[str, Any] = field(default_factory=dict)  # what the builder handed the provision hook

    @property
    def name(self) -> str:
        return self.spec.name
