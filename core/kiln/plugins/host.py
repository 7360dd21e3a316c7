"""The plugin processes of one kiln run: one per plugin executable, started on first use, serving every
component instance the run needs; stopped (or killed) when the run ends.

A plugin that does not announce the ``instances`` capability (built against an SDK that serves one
instance per process) gets a process of its own for every component instance, as before.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from kiln_sdk.host import (
    CAPABILITY_INSTANCES,
    DEFAULT_CALL_TIMEOUT,
    DEFAULT_START_TIMEOUT,
    PluginProcess,
    PluginStartError,
    client_for,
)
from kiln_sdk.schema import Schema

from kiln import log
from kiln.plugins.discovery import Catalog, PluginExecutable

_log = log.get("plugins")
KIND_WORDS = {"builder": "builder", "provisioner": "provisioner", "post-processor": "post-processor",
              "datasource": "data source"}


class UnknownComponent(Exception):
    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        self.kind, self.name, self.known = kind, name, known
        super().__init__(
            f"Unknown {KIND_WORDS.get(kind, kind)} type {name!r}. Known {KIND_WORDS.get(kind, kind)} types: "
            f"{', '.join(known) or '(none)'}. If it comes from a plugin, install the plugin "
            "(kiln init, or put a kiln-plugin-* executable in KILN_PLUGIN_PATH)."
        )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    try:
        value = float(env.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def process_label(exe: PluginExecutable) -> str:
    return "bundled plugin" if exe.label == "bundled" else f"plugin {exe.label}"


class PluginHost:
    def __init__(self, catalog: Catalog, env: Mapping[str, str] | None = None,
                 start_timeout: float | None = None, standby: Sequence[PluginProcess] = ()) -> None:
        self.catalog = catalog
        self.env = dict(os.environ if env is None else env)
        self.start_timeout = start_timeout or _seconds(self.env, "KILN_PLUGIN_START_TIMEOUT", DEFAULT_START_TIMEOUT)
        self.call_timeout = _seconds(self.env, "KILN_PLUGIN_CALL_TIMEOUT", DEFAULT_CALL_TIMEOUT)
        self._lock = threading.Lock()
        self._processes: list[PluginProcess] = list(standby)
        self._standby: list[PluginProcess] = list(standby)  # started early, not yet claimed
        self._shared: dict[tuple[str, ...], PluginProcess] = {}  # one per executable
        self._exe_locks: dict[tuple[str, ...], threading.Lock] = {}
        self._failed: dict[tuple[str, ...], PluginStartError] = {}
        self._schemas: dict[tuple[str, str], Schema] = {}
        self._closed = False
        self.interrupt: threading.Event | None = None  # the run's Ctrl-C: every process stops waiting on it
        atexit.register(self.kill_all)

    def _take_standby(self, command: Sequence[str]) -> PluginProcess | None:
        with self._lock:
            for i, process in enumerate(self._standby):
                if process.command == list(command):
                    return self._standby.pop(i)
        return None

    def config_schema(self, kind: str, name: str) -> Schema | None:
        """The config schema of component ``name`` from its plugin's cached description, without starting
        the plugin; None when the description has none (then ask the process: ``start(...).schema()``)."""
        source = self.catalog.find(kind, name)
        if source is None or source.config_schema is None:
            return None
        key = (kind, name)
        with self._lock:
            schema = self._schemas.get(key)
        if schema is None:
            try:
                schema = Schema.from_json(dict(source.config_schema))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a description we cannot read
                _log.debug("cached schema of %s %s unreadable (%s); asking the plugin", kind, name, exc)
                return None
            with self._lock:
                self._schemas[key] = schema
        return schema

    def check(self, kind: str, name: str) -> None:
        if self.catalog.find(kind, name) is None:
            raise UnknownComponent(kind, name, self.catalog.names(kind))

    def _new_process(self, exe: PluginExecutable) -> PluginProcess:
        label = process_label(exe)
        with self._lock:
            if self._closed:
                raise PluginStartError(f"not starting the {label}: the run is ending")
        plugin_log = log.get(f"plugin.{exe.label}")
        process = self._take_standby(exe.command)
        if process is None:
            process = PluginProcess(exe.command, label=label, env=self.env, start_timeout=self.start_timeout,
                                    call_timeout=self.call_timeout)
            with self._lock:
                self._processes.append(process)
            process.spawn()
        process.label = label
        process.interrupt = self.interrupt
        process.start_timeout, process.call_timeout = self.start_timeout, self.call_timeout
        process.stderr_sink = plugin_log.debug
        process.stdout_sink = lambda line: plugin_log.info("stdout: %s", line)
        process.wait_ready()
        _log.debug("started the %s as pid %s (protocol 1.%s, capabilities: %s)", label, process.pid,
                   process.info.protocol_minor if process.info else "?",
                   ", ".join(sorted(process.info.capabilities)) if process.info else "")
        return process

    def process_for(self, exe: PluginExecutable) -> PluginProcess:
        """The run's process of ``exe``, started on first use (concurrent callers wait for one start)."""
        key = exe.command
        with self._lock:
            lock = self._exe_locks.setdefault(key, threading.Lock())
        with lock:
            failed = self._failed.get(key)
            if failed is not None:
                raise failed  # said once per run, not once per component
            process = self._shared.get(key)
            if process is None:
                try:
                    process = self._new_process(exe)
                except PluginStartError as exc:
                    self._failed[key] = exc
                    raise
                self._shared[key] = process
                return process
        if process.info is not None and not process.info.supports(CAPABILITY_INSTANCES):
            return self._new_process(exe)  # an older plugin: one process per instance
        return process

    def start(self, kind: str, name: str) -> Any:
        """A client of component ``name`` of ``kind``, served by its executable's process."""
        source = self.catalog.find(kind, name)
        if source is None:
            raise UnknownComponent(kind, name, self.catalog.names(kind))
        process = self.process_for(source.executable)
        label = f"{KIND_WORDS.get(kind, kind)} {name!r}"
        return client_for(process, kind, source.own_name, label)

    def stop_all(self) -> None:
        with self._lock:
            self._closed = True
            processes = list(self._processes)
        threads = [threading.Thread(target=p.stop, kwargs={"timeout": 3.0}) for p in processes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def kill_all(self) -> None:
        with self._lock:
            processes = list(self._processes)
        for p in processes:
            p.kill()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._processes if p.pid is not None]

    def __enter__(self) -> PluginHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_all()
        atexit.unregister(self.kill_all)


__all__ = ["PluginHost", "PluginStartError", "UnknownComponent"]
