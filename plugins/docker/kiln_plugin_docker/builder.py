"""The ``docker`` builder (Packer's builder/docker): run a container, provision it, commit/export/discard it.

Packer's steps, in order, with its console lines: StepTempDir ("Creating a temporary directory for sharing
data..."), StepPull ("Pulling Docker image: ..."), StepRun ("Starting docker container...", the run
command, the container ID; its cleanup kills and removes the container), StepConnect ("Using docker
communicator to connect: "), StepProvision, then StepCommit ("Committing the container") with
StepSetGeneratedData, or StepExport ("Exporting the container").

Better than Packer: the container and the host temp dir are written in the cleanup journal (kiln_sdk.journal)
as soon as they exist and crossed out when they are removed, so `kiln cleanup` removes what a killed kiln
left behind (``DockerBuilder.cleanup_resource``: ``docker rm -f``, or removing the directory). A SIGKILL
between `docker run` starting a container and printing its ID is the one window not covered (the run
command is the user's, so kiln cannot add a --cidfile to it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from kiln_sdk import (
    ERROR,
    Action,
    Artifact,
    BuildContext,
    Builder,
    BuildError,
    BuildInfo,
    Cancelled,
    Context,
    JournalEntry,
    StateBag,
    StateKey,
    Step,
    StepRunner,
    Ui,
    journal,
    render,
)

from kiln_plugin_docker.artifact import export_artifact, import_artifact
from kiln_plugin_docker.communicator import DockerCommunicator
from kiln_plugin_docker.config import DockerConfig, prepare
from kiln_plugin_docker.driver import Driver

BUILDER_ID = "packer.docker"
BUILDER_ID_IMPORT = "packer.post-processor.docker-import"

TEMP_DIR: StateKey[str] = StateKey("temp_dir")
CONTAINER_ID: StateKey[str] = StateKey("container_id")
IMAGE_ID: StateKey[str] = StateKey("image_id")
COMMUNICATOR: StateKey[DockerCommunicator | None] = StateKey("communicator")
GENERATED: StateKey[dict[str, Any]] = StateKey("generated_data")

HTTP_NOT_IMPLEMENTED = {
    "PackerHTTPIP": "ERR_HTTP_IP_NOT_IMPLEMENTED_BY_BUILDER",
    "PackerHTTPPort": "ERR_HTTP_PORT_NOT_IMPLEMENTED_BY_BUILDER",
    "PackerHTTPAddr": "ERR_HTTP_ADDR_NOT_IMPLEMENTED_BY_BUILDER",
}


def temp_root() -> str:
    """Where the shared temp dir goes: PACKER_TMP_DIR (as Packer), else the system's temp directory."""
    root = os.environ.get("PACKER_TMP_DIR") or tempfile.gettempdir()
    root = os.path.abspath(root)
    os.makedirs(root, exist_ok=True)
    return root


RESOURCE_CONTAINER = "docker-container"
RESOURCE_TEMP_DIR = "host-temp-dir"
COMPONENT = "-packer-default-plugin-name-"  # the builder's name in serve()


def _record(resource_type: str, resource_id: str, info: BuildInfo) -> JournalEntry:
    return journal().record(resource_type, resource_id, kind="builder", component=COMPONENT,
                            build_name=info.build_name)


class StepTempDir(Step):
    def __init__(self, info: BuildInfo) -> None:
        self.info = info
        self.path = ""
        self.entry: JournalEntry | None = None

    def run(self, ctx: Context, state: StateBag) -> Action:
        ctx.ui.say("Creating a temporary directory for sharing data...")
        try:
            self.path = tempfile.mkdtemp(prefix="kiln-docker-", dir=temp_root())
        except OSError as exc:
            raise BuildError(f"Error making temp dir: {exc}") from exc
        self.entry = _record(RESOURCE_TEMP_DIR, self.path, self.info)
        state.put(TEMP_DIR, self.path)
        return Action.CONTINUE

    def cleanup(self, ctx: Context, state: StateBag) -> None:
        if self.path:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = ""
        if self.entry is not None:
            self.entry.done()
            self.entry = None


class StepPull(Step):
    def __init__(self, config: DockerConfig, driver: Driver) -> None:
        self.config, self.driver = config, driver

    def run(self, ctx: Context, state: StateBag) -> Action:
        cfg = self.config
        if not cfg.pull:
            return Action.CONTINUE
        ctx.ui.say(f"Pulling Docker image: {cfg.image}")
        logged_in = False
        if cfg.login:
            ctx.ui.message("Logging in...")
            try:
                self.driver.login(cfg.login_server, cfg.login_username, cfg.login_password)
            except Cancelled:
                raise
            except BuildError as exc:
                raise BuildError(f"Error logging in: {exc}") from exc
            logged_in = True
        try:
            self.driver.pull(cfg.image, cfg.platform)
        except Cancelled:
            raise
        except BuildError as exc:
            raise BuildError(f"Error pulling Docker image: {exc}") from exc
        finally:
            if logged_in:
                ctx.ui.message("Logging out...")
                try:
                    self.driver.logout(cfg.login_server)
                except BuildError as exc:
                    ctx.ui.error(f"Error logging out: {exc}")
        return Action.CONTINUE


def run_args(config: DockerConfig, temp_dir: str, info: BuildInfo) -> list[str]:
    """The arguments of ``docker run`` (Packer's StartContainer), run_command rendered with {{.Image}}."""
    args: list[str] = []
    for v in config.device:
        args += ["--device", v]
    for v in config.cap_add:
        args += ["--cap-add", v]
    for v in config.cap_drop:
        args += ["--cap-drop", v]
    if config.privileged:
        args.append("--privileged")
    if config.platform:
        args += ["--platform", config.platform]
    for v in config.tmpfs:
        args += ["--tmpfs", v]
    volumes = dict(config.volumes)
    volumes[temp_dir] = config.container_dir
    for host, guest in volumes.items():
        args += ["-v", f"{host}:{guest}"]
    for v in config.run_command:
        try:
            args.append(render(v, {"Image": config.image}, info))
        except BuildError as exc:
            raise BuildError(f"Error running container: run_command: {exc}") from exc
    return args


class StepRun(Step):
    def __init__(self, config: DockerConfig, driver: Driver, info: BuildInfo) -> None:
        self.config, self.driver, self.info = config, driver, info
        self.container_id = ""
        self.entry: JournalEntry | None = None

    def run(self, ctx: Context, state: StateBag) -> Action:
        args = run_args(self.config, state.get(TEMP_DIR), self.info)
        ctx.ui.say("Starting docker container...")
        ctx.ui.message(f"Run command: docker {' '.join(['run', *args])}")
        try:
            container_id = self.driver.start_container(args)
        except Cancelled:
            raise
        except BuildError as exc:
            raise BuildError(f"Error running container: {exc}") from exc
        if not container_id:
            raise BuildError("Error running container: docker run printed no container ID")
        self.container_id = container_id.splitlines()[-1].strip()
        self.entry = _record(RESOURCE_CONTAINER, self.container_id, self.info)
        state.put(CONTAINER_ID, self.container_id)
        ctx.ui.message(f"Container ID: {self.container_id}")
        return Action.CONTINUE

    def cleanup(self, ctx: Context, state: StateBag) -> None:
        if not self.container_id:
            return
        ctx.ui.say(f"Killing the container: {self.container_id}")
        self.driver.kill_container(self.container_id)
        self.container_id = ""
        if self.entry is not None:
            self.entry.done()
            self.entry = None


class StepConnect(Step):
    def __init__(self, config: DockerConfig, driver: Driver) -> None:
        self.config, self.driver = config, driver

    def run(self, ctx: Context, state: StateBag) -> Action:
        if self.config.communicator == "none":
            state.put(COMMUNICATOR, None)
            return Action.CONTINUE
        ctx.ui.say("Using docker communicator to connect: ")
        container_id = state.get(CONTAINER_ID)
        user = self.driver.container_user(container_id)
        state.put(COMMUNICATOR, DockerCommunicator(
            self.driver, container_id, exec_user=self.config.exec_user, container_user=user,
            fix_upload_owner=self.config.fix_upload_owner, pty=self.config.pty))
        return Action.CONTINUE


class StepProvision(Step):
    def __init__(self, hook_data: dict[str, Any]) -> None:
        self.hook_data = hook_data

    def run(self, ctx: Context, state: StateBag) -> Action:
        if not isinstance(ctx, BuildContext) or ctx.hook is None:
            raise BuildError("the docker builder runs provisioners through the core's hook, which is missing")
        data = {**self.hook_data, "ID": state.get(CONTAINER_ID)}
        ctx.hook.provision(state.get_or(COMMUNICATOR, None), data)
        return Action.CONTINUE


class StepCommit(Step):
    def __init__(self, config: DockerConfig, driver: Driver) -> None:
        self.config, self.driver = config, driver

    def run(self, ctx: Context, state: StateBag) -> Action:
        ctx.ui.say("Committing the container")
        cfg = self.config
        image_id = self.driver.commit(state.get(CONTAINER_ID), cfg.author, cfg.changes, cfg.message)
        image_id = image_id.splitlines()[-1].strip() if image_id else ""
        state.put(IMAGE_ID, image_id)
        ctx.ui.message(f"Image ID: {image_id}")
        return Action.CONTINUE


class StepSetGeneratedData(Step):
    def __init__(self, driver: Driver) -> None:
        self.driver = driver

    def run(self, ctx: Context, state: StateBag) -> Action:
        sha256 = "ERR_IMAGE_SHA256_NOT_FOUND"
        if IMAGE_ID in state:
            try:
                sha256 = self.driver.sha256(state.get(IMAGE_ID))
            except Cancelled:
                raise
            except BuildError:
                pass
        state.get(GENERATED)["ImageSha256"] = sha256
        return Action.CONTINUE


class StepExport(Step):
    def __init__(self, config: DockerConfig, driver: Driver) -> None:
        self.config, self.driver = config, driver

    def run(self, ctx: Context, state: StateBag) -> Action:
        path = self.config.export_path
        partial = f"{path}.kiln-partial"
        ctx.ui.say("Exporting the container")
        try:
            with open(partial, "wb") as fh:
                self.driver.export(state.get(CONTAINER_ID), fh)  # type: ignore[arg-type]
            os.replace(partial, path)  # the tar appears whole or not at all
        except OSError as exc:
            raise BuildError(f"Error creating output file: {exc}") from exc
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        return Action.CONTINUE


class DockerBuilder(Builder[DockerConfig]):
    Config = DockerConfig
    description = "Builds a container image with the docker command (Docker Engine, or podman behind it)."

    def __init__(self) -> None:
        self.config = DockerConfig()
        self.info = BuildInfo()

    def prepare(self, config: DockerConfig, info: BuildInfo) -> list[str]:
        warnings = prepare(config, info)
        self.config, self.info = config, info
        return warnings

    def generated_data_names(self) -> list[str]:
        return ["ImageSha256"]

    def _hook_data(self) -> dict[str, Any]:
        """Packer's PopulateProvisionHookData for a docker build (no host, port or credentials)."""
        return {"ID": "", "PackerRunUUID": self.info.run_uuid, **HTTP_NOT_IMPLEMENTED, "Host": "", "Port": 0,
                "User": "", "Password": "", "SSHPublicKey": "", "SSHPrivateKey": "", "SSHPrivateKeyFile": "",
                "SSHAgentAuth": False, "WinRMPassword": "", "ConnType": self.config.communicator}

    def run(self, ctx: BuildContext) -> Artifact | None:
        cfg = self.config
        driver = Driver(ui=ctx.ui, cancel=ctx.cancel_event, secrets=[cfg.login_password])
        driver.verify()
        state = StateBag()
        state.put(GENERATED, {})
        steps: list[Step] = [StepTempDir(self.info), StepPull(cfg, driver), StepRun(cfg, driver, self.info),
                             StepConnect(cfg, driver), StepProvision(self._hook_data())]
        if cfg.commit:
            steps += [StepCommit(cfg, driver), StepSetGeneratedData(driver)]
        elif cfg.export_path:
            steps.append(StepExport(cfg, driver))
        StepRunner(steps).run(ctx, state)
        if ERROR in state:
            self._say_left_behind(ctx, state, steps)
            error = state.get(ERROR)
            if isinstance(error, BuildError):
                raise error
            raise BuildError(str(error)) from error
        ctx.check_cancelled()
        generated: dict[str, Any] = state.get(GENERATED).copy()
        if cfg.commit:
            return import_artifact(state.get(IMAGE_ID), BUILDER_ID_IMPORT, driver, generated)
        return export_artifact(cfg.export_path, BUILDER_ID, generated)

    @classmethod
    def cleanup_resource(cls, entry: JournalEntry, ui: Ui) -> None:
        """``kiln cleanup``: remove a container or host temp dir that a killed build left behind."""
        if entry.resource_type == RESOURCE_TEMP_DIR:
            shutil.rmtree(entry.resource_id, ignore_errors=True)
            if os.path.exists(entry.resource_id):
                raise BuildError(f"could not remove {entry.resource_id}")
            return
        if entry.resource_type != RESOURCE_CONTAINER:
            raise BuildError(f"unknown resource type {entry.resource_type!r}")
        Driver(ui=None).remove_container(entry.resource_id)

    @staticmethod
    def _say_left_behind(ctx: Context, state: StateBag, steps: list[Step]) -> None:
        """With -on-error=abort (or ask → abort) the cleanups did not run: say what is still there."""
        left = []
        for step in reversed(steps):  # the container first
            if isinstance(step, StepRun) and step.container_id:
                left.append(f"container {step.container_id} (remove it with: docker rm -f {step.container_id})")
            if isinstance(step, StepTempDir) and step.path:
                left.append(f"temporary directory {step.path}")
        if left:
            ctx.ui.error("Left in place by -on-error: " + "; ".join(left))
