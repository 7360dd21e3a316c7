#!/usr/bin/env python3
"""A plugin that misbehaves on purpose: the scenario comes from FAKE_PLUGIN_SCENARIO.

good           serves a builder "fake" (writes a file), a provisioner "echo" and a post-processor "touch"
no-handshake   prints nothing and sleeps
garbage        prints a line that is not a handshake
old-protocol   answers with plugin protocol 99
exit-early     exits with status 3 before the handshake, after writing to stderr
crash-in-run   the builder's run kills the process
stdout-first   prints a line to stdout before its handshake
hang-on-cancel the builder's run ignores cancellation
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass

from kiln_sdk.artifact import Artifact
from kiln_sdk.components import (
    BuildContext,
    Builder,
    BuildInfo,
    Context,
    Datasource,
    PostProcessor,
    PostProcessResult,
    ProvisionContext,
    Provisioner,
)
from kiln_sdk.config import setting
from kiln_sdk.diagnostics import BuildError, ConfigError
from kiln_sdk.serve import serve

SCENARIO = os.environ.get("FAKE_PLUGIN_SCENARIO", "good")


@dataclass
class FakeConfig:
    path: str = setting(required=True, doc="File the builder writes.")
    content: str = setting(default="hello")
    sleep: float = setting(default=0.0)
    crash: bool = setting(default=False, doc="Kill this plugin process in the middle of run.")
    ignore_cancel: bool = setting(default=False, doc="Go on sleeping when cancelled.")
    raise_key: bool = setting(default=False, doc="Raise an unhandled KeyError in run.")
    flood_mb: int = setting(default=0, doc="Print this many MB to stdout in run (after the handshake).")
    hang: str = setting(default="", doc="'prepare' or 'run': hang there, deaf to cancellation.")


class FakeBuilder(Builder[FakeConfig]):
    Config = FakeConfig

    def prepare(self, config: FakeConfig, info: BuildInfo) -> list[str]:
        if config.hang == "prepare":
            print(f"hanging in prepare in pid {os.getpid()}", file=sys.stderr, flush=True)
            time.sleep(3600)
        if config.content == "bad":
            raise ConfigError("content must not be 'bad'", path=["content"])
        self.config = config
        self.info = info
        return ["fake builder warns"] if config.content == "warn" else []

    def run(self, ctx: BuildContext) -> Artifact | None:
        ctx.ui.say(f"building {self.info.build_name} in pid {os.getpid()}")
        if SCENARIO == "crash-in-run" or self.config.crash:
            os._exit(7)
        if self.config.hang == "run":
            time.sleep(3600)
        if self.config.raise_key:
            missing: dict[str, Artifact] = {}
            return missing["missing"]
        for i in range(self.config.flood_mb * 17):
            print(f"flood line {i} " + "x" * 60000)
        if self.config.flood_mb:
            print("flood done", flush=True)
        deadline = time.monotonic() + self.config.sleep
        while time.monotonic() < deadline:
            if ctx.cancelled and SCENARIO != "hang-on-cancel" and not self.config.ignore_cancel:
                ctx.ui.say("cleaning up after cancel")
                raise BuildError("cancelled")
            time.sleep(0.02)
        with open(self.config.path, "w") as f:
            f.write(self.config.content)
        assert ctx.hook is not None
        ctx.hook.provision(None, {"ID": "fake-id"})
        return Artifact("kiln.fake", id=self.config.path, files=[self.config.path], string="a fake file",
                        destroy_fn=lambda: os.remove(self.config.path))


@dataclass
class EchoConfig:
    text: str = setting(required=True)
    sleep: float = setting(default=0.0)
    ignore_cancel: bool = setting(default=False, doc="Go on sleeping when cancelled.")


class EchoProvisioner(Provisioner[EchoConfig]):
    Config = EchoConfig

    def prepare(self, config: EchoConfig, info: BuildInfo) -> list[str]:
        self.config = config
        return []

    def provision(self, ctx: ProvisionContext) -> None:
        if self.config.sleep:
            ctx.ui.message(f"echo sleeping in pid {os.getpid()}")
        deadline = time.monotonic() + self.config.sleep
        while time.monotonic() < deadline and (self.config.ignore_cancel or not ctx.cancelled):
            time.sleep(0.02)
        ctx.ui.message(f"{self.config.text} {ctx.generated_data.get('ID')} pid={os.getpid()}")


@dataclass
class TouchConfig:
    suffix: str = setting(default=".pp")


class TouchPostProcessor(PostProcessor[TouchConfig]):
    Config = TouchConfig

    def configure(self, config: TouchConfig, info: BuildInfo) -> list[str]:
        self.config = config
        return []

    def post_process(self, ctx: Context, artifact: Artifact) -> PostProcessResult:
        out = artifact.files[0] + self.config.suffix
        open(out, "w").close()
        return PostProcessResult(Artifact("kiln.touch", id=out, files=[out], string=out), keep=False)


@dataclass
class GreetConfig:
    name: str = setting(required=True)
    fail: bool = setting(default=False)
    token_file: str = setting(default="", doc="A file whose content becomes the output 'token'.")


@dataclass
class GreetOutput:
    greeting: str = setting(default="")
    length: int = setting(default=0)
    token: str = setting(default="", sensitive=True)


class GreetDatasource(Datasource[GreetConfig]):
    Config = GreetConfig
    Output = GreetOutput

    def configure(self, config: GreetConfig, info: BuildInfo) -> list[str]:
        self.config = config
        return []

    def execute(self, ctx: Context) -> GreetOutput:
        if self.config.fail:
            raise BuildError(f"no greeting for {self.config.name}")
        token = ""
        if self.config.token_file:
            with open(self.config.token_file) as f:
                token = f.read()
            print(f"read the token {token}", file=sys.stderr, flush=True)  # plugin stderr: the log must mask it
        return GreetOutput(f"hello {self.config.name}", len(self.config.name), token)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        if SCENARIO == "no-handshake":
            time.sleep(60)
        elif SCENARIO == "garbage":
            print("hello, I am not a plugin", flush=True)
            time.sleep(60)
        elif SCENARIO == "old-protocol":
            print("1|99|unix|/tmp/nowhere.sock|grpc", flush=True)
            time.sleep(60)
        elif SCENARIO == "stdout-first":
            print("debug: starting", flush=True)
        elif SCENARIO == "exit-early":
            print("fatal: cannot read my configuration", file=sys.stderr, flush=True)
            sys.exit(3)
    serve(
        {
            "builder": {"fake": FakeBuilder},
            "provisioner": {"echo": EchoProvisioner},
            "post-processor": {"touch": TouchPostProcessor},
            "datasource": {"greet": GreetDatasource},
        },
        version="0.0.1",
    )


if __name__ == "__main__":
    main()
