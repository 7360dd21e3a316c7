"""The template model the engine runs: builds, each with its builder, provisioners and post-processors.

Every template language (HCL2 ``*.pkr.hcl``, HCL-JSON ``*.pkr.json``, legacy JSON) loads into these
classes, so everything after loading has one code path. A component's configuration stays unevaluated
until the engine calls :meth:`ComponentSpec.decode` with the plugin's schema: at prepare time
(``build_vars=None``, ``build.*`` unknown) and again at provision time with the builder's generated data.

This module is a contract shared with the legacy JSON loader and the engine: keep it stable.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kiln_sdk.schema import Schema

from kiln.hcl.diagnostics import HclDiagnostic
from kiln.hcl.render import render as render_diagnostics
from kiln.hcl.syntax import Body, Range
from kiln.hcl.values import Value

if TYPE_CHECKING:
    from kiln.plugins.requirements import Requirement

PACKER_COMPAT_VERSION = "1.6.6"
"""The Packer version kiln reports (``packer.version``, ``{{packer_version}}``, plugins' core version):
the one its output is compared with, byte for byte."""

PACKER_LANGUAGE_VERSION = "1.14.0"
"""The Packer release whose template language kiln implements (``required_plugins``, data sources,
``local`` blocks, today's functions): ``required_version`` and ``min_packer_version`` are checked
against it, so templates written for today's Packer load unchanged."""


@dataclass
class Decoded:
    """A component body evaluated against its plugin's schema."""

    config: dict[str, Any]  # JSON-able: str, int/float, bool, None, list, dict
    diagnostics: list[HclDiagnostic] = field(default_factory=list)
    sensitive: list[str] = field(default_factory=list)  # sensitive strings inside ``config``, for masking

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)


class ComponentSpec(ABC):
    """One configured component (a ``source``/``provisioner``/``post-processor``/``data`` body or a
    legacy JSON object): its type, its name, where it is written, and its not yet decoded settings."""

    type: str
    name: str
    range: Range

    @abstractmethod
    def decode(self, schema: Schema, build_vars: Mapping[str, Value] | None = None) -> Decoded:
        """Evaluate the settings against ``schema``.

        Unknown argument, wrong type, missing required argument become diagnostics with ranges.
        ``build_vars=None`` means ``build.*`` is unknown (prepare time): unknown values are then
        replaced by typed placeholders so that prepare can run. At provision time the engine passes
        the builder's generated data (``ID``, ``Host``, ``Port``, ``User``, ``PackerRunUUID``, ...).
        """

    @abstractmethod
    def range_of(self, path: Sequence[str]) -> Range:
        """The source range of the setting at ``path`` (a plugin diagnostic's attribute path);
        the closest enclosing range when the path names nothing written in the template."""


@dataclass
class ProvisionerSpec:
    """A provisioner of one build. ``only``/``except_`` are as written (Packer matches them against the
    source's ``type.name``, without the build block's name); a ``BuildSpec`` holds only the provisioners
    and post-processors that apply to it, so they need no second filtering."""

    component: ComponentSpec
    only: list[str] = field(default_factory=list)
    except_: list[str] = field(default_factory=list)
    pause_before: float = 0.0  # seconds
    max_retries: int = 0
    timeout: float | None = None  # seconds
    override: dict[str, dict[str, Any]] = field(default_factory=dict)  # build name -> settings


@dataclass
class PostProcessorSpec:
    component: ComponentSpec
    keep_input_artifact: bool | None = None
    only: list[str] = field(default_factory=list)
    except_: list[str] = field(default_factory=list)


@dataclass
class BuildSpec:
    """One build to run: a build block × one of its sources (or one legacy builder)."""

    name: str  # what Packer prints and what -only/-except match: "null.alpha" (HCL2), "null" (legacy)
    build_block_name: str  # the build block's ``name`` ("" when unnamed or legacy)
    builder_type: str  # "null"
    source_name: str  # "alpha" (HCL2 source label); the builder's name in legacy JSON
    builder: ComponentSpec
    provisioners: list[ProvisionerSpec] = field(default_factory=list)
    error_cleanup_provisioner: ProvisionerSpec | None = None
    post_processors: list[list[PostProcessorSpec]] = field(default_factory=list)  # one list per chain
    description: str = ""
    source_block_name: str = ""  # the source block's own name when a nested block renamed it: Packer 1.6.6
    # gives it as PACKER_BUILD_NAME (and the manifest's "name"), while source.name and override keys use
    # ``source_name``. Empty when not renamed (and for legacy templates): then use ``source_name``.


class TemplateError(Exception):
    """Loading failed: every error found, with the sources needed to render them."""

    def __init__(self, diagnostics: Sequence[HclDiagnostic], sources: Mapping[str, str] | None = None,
                 bodies: Mapping[str, Body] | None = None) -> None:
        self.diagnostics = list(diagnostics)
        self.sources = dict(sources or {})
        self.bodies = dict(bodies or {})  # parsed native files: lets the rendering name the enclosing block
        super().__init__("; ".join(d.summary for d in self.diagnostics))

    def render(self) -> str:
        """Packer's rendering: ``Error: ...``, ``on FILE line N, in BLOCK:``, the source line, the detail."""
        return render_diagnostics(self.diagnostics, self.sources.get, self.bodies)


class Template(ABC):
    """A loaded template. Subclasses: the HCL2 template (``hcl2.py``) and the legacy JSON one."""

    kind: str  # "hcl2" | "json"
    path: str  # what was loaded (file or directory)
    warnings: list[HclDiagnostic]
    sources: dict[str, str]  # filename -> text, for rendering diagnostics
    required_plugins: dict[str, Requirement]
    required_version: str | None
    sensitive_values: list[str]  # values to mask in every output (sensitive variables, locals)
    bodies: dict[str, Body]  # parsed native HCL files by name (block names in diagnostics); may be absent

    @abstractmethod
    def builds(self) -> list[BuildSpec]:
        """Every build × source, in template order."""

    def render(self, diags: Sequence[HclDiagnostic]) -> str:
        """Packer's rendering of ``diags``, quoting the source lines they point at."""
        return render_diagnostics(diags, self.sources.get, getattr(self, "bodies", None))
