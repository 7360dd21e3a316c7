"""The four component kinds a plugin provides, as plain Python classes.

A component declares ``Config`` (a dataclass, see ``kiln_sdk.config``); the SDK derives its schema,
decodes the template's values into it, and calls ``prepare``/``configure`` with the instance.
Every method runs inside the plugin's own process; the SDK's wire layer does the rest.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from kiln_sdk.artifact import Artifact
from kiln_sdk.communicator.base import Communicator
from kiln_sdk.diagnostics import Cancelled
from kiln_sdk.ui import Ui

C = TypeVar("C")


@dataclass(frozen=True)
class BuildInfo:
    """What the core tells every component about the build it serves (Packer's packer_* settings)."""

    build_name: str = ""
    builder_type: str = ""
    core_version: str = ""
    run_uuid: str = ""
    debug: bool = False
    force: bool = False
    on_error: str = "cleanup"
    template_dir: str = ""
    sensitive_values: tuple[str, ...] = ()


@dataclass
class Context:
    """The running call: its Ui, its cancellation, the build it belongs to."""

    ui: Ui
    info: BuildInfo = field(default_factory=BuildInfo)
    cancel_event: threading.Event = field(default_factory=threading.Event)

    @property
    def cancelled(self) -> bool:
        """True once the build was cancelled (Ctrl-C, or another build failed with -on-error=abort)."""
        return self.cancel_event.is_set()

    def check_cancelled(self) -> None:
        """Raise Cancelled if the build was cancelled: call it between long pieces of work."""
        if self.cancel_event.is_set():
            raise Cancelled()


class Hook(ABC):
    """The core's hook. A builder calls ``provision`` once its machine is reachable."""

    @abstractmethod
    def run(self, name: str, communicator: Communicator | None, data: dict[str, Any]) -> None:
        """Run the core's hook ``name`` (e.g. the provisioners) with the communicator and the hook data."""

    def provision(self, communicator: Communicator | None, data: dict[str, Any] | None = None) -> None:
        """Run the build's provisioners now (Packer's ``packer_provision`` hook); blocks until done."""
        self.run("packer_provision", communicator, data or {})


@dataclass
class BuildContext(Context):
    """What a builder's ``run`` gets: the ui, build info, the cancel event and the core's hook."""

    hook: Hook | None = None


@dataclass
class ProvisionContext(Context):
    """What a provisioner's ``provision`` gets: the ui, build info, the cancel event, the
    communicator (None for a builder without one) and the build's generated data."""

    communicator: Communicator | None = None
    generated_data: dict[str, Any] = field(default_factory=dict)


class _Component(ABC, Generic[C]):
    Config: ClassVar[type]
    description: ClassVar[str] = ""


class Builder(_Component[C]):
    """A builder (``source`` blocks): ``prepare`` checks and keeps its config, ``run`` makes the artifact."""
    @abstractmethod
    def prepare(self, config: C, info: BuildInfo) -> list[str]:
        """Validate ``config`` (raise ConfigError) and keep it; return warnings."""

    def generated_data_names(self) -> list[str]:
        """Names of the ``build.*`` values this builder generates (Packer's generated data)."""
        return []

    @abstractmethod
    def run(self, ctx: BuildContext) -> Artifact | None:
        """Build; call ``ctx.hook.provision(communicator)`` when the machine is ready."""


class Provisioner(_Component[C]):
    """A provisioner: ``prepare`` checks its config, ``provision`` works on the machine through a communicator."""
    @abstractmethod
    def prepare(self, config: C, info: BuildInfo) -> list[str]:
        """Validate ``config`` (raise ConfigError) and keep it; return warnings."""

    @abstractmethod
    def provision(self, ctx: ProvisionContext) -> None:
        """Provision the machine: ``ctx`` carries the ui, the communicator and the build's generated data."""


@dataclass
class PostProcessResult:
    """What ``post_process`` returns: the artifact that comes out; ``keep`` keeps the input artifact
    (``force_override``: even when the template's ``keep_input_artifact`` says otherwise)."""

    artifact: Artifact
    keep: bool = False
    force_override: bool = False


class PostProcessor(_Component[C]):
    """A post-processor: ``configure`` checks its config, ``post_process`` turns one artifact into another."""
    @abstractmethod
    def configure(self, config: C, info: BuildInfo) -> list[str]:
        """Validate ``config`` (raise ConfigError) and keep it; return warnings."""

    @abstractmethod
    def post_process(self, ctx: Context, artifact: Artifact) -> PostProcessResult:
        """Process ``artifact``; the result says which artifact comes out and whether to keep the input."""


class Datasource(_Component[C]):
    """A data source (``data`` blocks): ``configure`` checks its config, ``execute`` returns its Output."""
    Output: ClassVar[type]

    @abstractmethod
    def configure(self, config: C, info: BuildInfo) -> list[str]:
        """Validate ``config`` (raise ConfigError) and keep it; return warnings."""

    @abstractmethod
    def execute(self, ctx: Context) -> Any:
        """Return an instance of ``Output`` (a dataclass)."""


ComponentFactory = Callable[[], _Component[Any]]
