"""In-process test doubles and helpers for plugin authors (re-exported by ``kiln_sdk.testing``).

    comm = RecordingCommunicator(LocalCommunicator())       # runs for real, records every call
    prov = prepare_component(MyProvisioner, {"message": "hi"})
    prov.provision(ProvisionContext(ui=RecordingUi(), communicator=comm))
    assert comm.commands == ["echo hi"]
"""

from __future__ import annotations

import io
import tarfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TypeVar

from kiln_sdk.communicator.base import Communicator, OutputHandler
from kiln_sdk.components import BuildInfo, Datasource, Hook, PostProcessor, ProvisionContext, Provisioner
from kiln_sdk.config import decode
from kiln_sdk.ui import RecordingUi, Ui

T = TypeVar("T")


@dataclass(frozen=True)
class CommunicatorCall:
    """One call a :class:`RecordingCommunicator` saw.

    ``method`` is ``run``, ``upload``, ``upload_tar``, ``download`` or ``download_tar``; ``target`` the
    command (run) or the remote path; ``data`` what was uploaded (a tar stream for ``upload_tar``);
    ``exit_status`` what ``run`` returned.
    """

    method: str
    target: str
    data: bytes = b""
    mode: int | None = None
    exit_status: int | None = None


class RecordingCommunicator(Communicator):
    """A Communicator for provisioner tests that records every call.

    With ``inner`` (e.g. ``LocalCommunicator()`` or an ``SSHCommunicator``) every call also goes
    through to it. Without, it answers as Packer's MockCommunicator does: ``run`` writes ``stdout`` and
    ``stderr`` to the handlers and returns ``exit_status``; uploads are kept in memory; downloads read
    ``files`` (remote path -> content), then what was uploaded.
    """

    def __init__(
        self,
        inner: Communicator | None = None,
        *,
        exit_status: int = 0,
        stdout: bytes = b"",
        stderr: bytes = b"",
        files: Mapping[str, bytes] | None = None,
    ) -> None:
        self.inner = inner
        self.exit_status = exit_status
        self.stdout = stdout
        self.stderr = stderr
        self.files: dict[str, bytes] = dict(files or {})
        self.calls: list[CommunicatorCall] = []
        self._lock = threading.Lock()

    def _record(self, call: CommunicatorCall) -> None:
        with self._lock:
            self.calls.append(call)

    @property
    def commands(self) -> list[str]:
        """Every command ``run`` was given, in order."""
        return [c.target for c in self.calls if c.method == "run"]

    @property
    def uploads(self) -> dict[str, bytes]:
        """Remote path -> content of every file uploaded (``upload``, and each file of ``upload_tar``)."""
        found: dict[str, bytes] = {}
        for call in self.calls:
            if call.method == "upload":
                found[call.target] = call.data
            elif call.method == "upload_tar":
                with tarfile.open(fileobj=io.BytesIO(call.data), mode="r|") as tar:
                    for member in tar:
                        handle = tar.extractfile(member) if member.isfile() else None
                        if handle is not None:
                            found[f"{call.target.rstrip('/')}/{member.name}"] = handle.read()
        return found

    def run(
        self,
        command: str,
        *,
        stdout: OutputHandler | None = None,
        stderr: OutputHandler | None = None,
        stdin: BinaryIO | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        """Record ``command``; run it on ``inner``, or answer with the canned output and exit status."""
        if self.inner is not None:
            status = self.inner.run(command, stdout=stdout, stderr=stderr, stdin=stdin, cancel=cancel)
        else:
            if stdout is not None and self.stdout:
                stdout(self.stdout)
            if stderr is not None and self.stderr:
                stderr(self.stderr)
            status = self.exit_status
        self._record(CommunicatorCall("run", command, exit_status=status))
        return status

    def upload(self, dst: str, src: BinaryIO, *, mode: int | None = None, size: int | None = None) -> None:
        """Record the upload of ``src`` to ``dst`` (read whole: test files are small)."""
        data = src.read()
        self._record(CommunicatorCall("upload", dst, data, mode))
        if self.inner is not None:
            self.inner.upload(dst, io.BytesIO(data), mode=mode, size=len(data))

    def upload_tar(self, dst: str, tar_stream: BinaryIO) -> None:
        """Record the tar stream extracted into ``dst``."""
        data = tar_stream.read()
        self._record(CommunicatorCall("upload_tar", dst, data))
        if self.inner is not None:
            self.inner.upload_tar(dst, io.BytesIO(data))

    def download(self, src: str, dst: BinaryIO) -> None:
        """Record the download of ``src``; copy it from ``inner``, ``files`` or an earlier upload."""
        self._record(CommunicatorCall("download", src))
        if self.inner is not None:
            self.inner.download(src, dst)
            return
        content = self.files.get(src, self.uploads.get(src))
        if content is None:
            raise FileNotFoundError(f"{src}: no such file on the recording communicator")
        dst.write(content)

    def download_tar(self, src: str) -> Iterator[bytes]:
        """Record the download of ``src`` as a tar stream (from ``inner``, else of ``files`` below it)."""
        self._record(CommunicatorCall("download_tar", src))
        if self.inner is not None:
            return self.inner.download_tar(src)
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            prefix = src.rstrip("/") + "/"
            for path, content in sorted({**self.uploads, **self.files}.items()):
                if path == src or path.startswith(prefix):
                    info = tarfile.TarInfo(path[len(prefix):] if path.startswith(prefix) else path.rsplit("/", 1)[-1])
                    info.size = len(content)
                    tar.addfile(info, io.BytesIO(content))
        return iter([buffer.getvalue()])

    def close(self) -> None:
        """Close ``inner``."""
        if self.inner is not None:
            self.inner.close()


@dataclass(frozen=True)
class RecordedHook:
    """One hook call a builder made: its name (``packer_provision``), communicator and data."""

    name: str
    communicator: Communicator | None
    data: dict[str, Any]


@dataclass
class RecordingHook(Hook):
    """The core's hook, in process, for builder tests: records each call and, on ``packer_provision``,
    runs ``provisioners`` (prepared instances) over the builder's communicator, as the core would."""

    provisioners: Sequence[Provisioner[Any]] = ()
    ui: Ui = field(default_factory=RecordingUi)
    info: BuildInfo = field(default_factory=BuildInfo)
    calls: list[RecordedHook] = field(default_factory=list)

    def run(self, name: str, communicator: Communicator | None, data: dict[str, Any]) -> None:
        """Record the call; run the provisioners if it is the provision hook."""
        self.calls.append(RecordedHook(name, communicator, dict(data)))
        if name != "packer_provision":
            return
        for provisioner in self.provisioners:
            provisioner.provision(ProvisionContext(ui=self.ui, info=self.info, communicator=communicator,
                                                   generated_data=dict(data)))


def config_of(component: type, values: Mapping[str, Any]) -> Any:
    """Decode ``values`` (the template's settings, as JSON-like data) into ``component.Config``, as the
    SDK does before ``prepare``/``configure``; raises ConfigError with attribute paths."""
    config = getattr(component, "Config", None)
    if not isinstance(config, type):
        raise TypeError(f"{component.__name__} has no Config dataclass")
    return decode(config, values)


def prepare_component(component: type[T], values: Mapping[str, Any], info: BuildInfo | None = None) -> T:
    """A new instance of ``component``, prepared (builders, provisioners) or configured (post-processors,
    data sources) with ``values`` decoded into its Config; raises ConfigError."""
    instance = component()
    config = config_of(component, values)
    if isinstance(instance, (PostProcessor, Datasource)):
        instance.configure(config, info or BuildInfo())
    else:
        instance.prepare(config, info or BuildInfo())  # type: ignore[attr-defined]
    return instance
