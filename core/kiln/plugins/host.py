"""The processes of one kiln run: started on demand (in parallel), killed when the run ends."""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from kiln_sdk._wire.clients import CLIENTS
from kiln_sdk._wire.process import DEFAULT_START_TIMEOUT, PluginProcess, PluginStartError

from kiln import log
from kiln.plugins.discovery import Catalog

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


class PluginHost:
    def __init__(self, catalog: Catalog, env: Mapping[str, str] | None = None,
                 start_timeout: float | None = None, standby: Sequence[PluginProcess] = ()) -> None:
        self.catalog = catalog
        self.env = dict(os.environ if env is None else env)
        timeout = self.env.get("KILN_PLUGIN_START_TIMEOUT")
        self.start_timeout = start_timeout or (float(timeout) if timeout else DEFAULT_START_TIMEOUT)
        self._lock = threading.Lock()
        self._processes: list[PluginProcess] = list(standby)
        self._standby: list[PluginProcess] = list(standby)  # pre-started, not yet serving a component
        self._closed = False
        atexit.register(self.kill_all)

    def _take_standby(self, command: Sequence[str]) -> PluginProcess | None:
        with self._lock:
            for i, process in enumerate(self._standby):
                if process.command == list(command):
                    return self._standby.pop(i)
        return None

    def check(self, kind: str, name: str) -> None:
        if self.catalog.find(kind, name) is None:
            raise UnknownComponent(kind, name, self.catalog.names(kind))

    def start(self, kind: str, name: str) -> Any:
        """Start a process serving component ``name`` of ``kind``; return its client."""
        source = self.catalog.find(kind, name)
        if source is None:
            raise UnknownComponent(kind, name, self.catalog.names(kind))
        exe = source.executable
        label = f"{KIND_WORDS.get(kind, kind)} {name!r}" + ("" if exe.label == "bundled" else f" ({exe.label})")
        plugin_log = log.get(f"plugin.{kind}.{name}")
        with self._lock:
            if self._closed:
                raise PluginStartError(f"not starting {label}: the run is ending")
        process = self._take_standby(exe.command)
        if process is not None:
            process.assign(kind, source.own_name, label=label, start_timeout=self.start_timeout,
                           stderr_sink=plugin_log.debug)
        else:
            process = PluginProcess(exe.command, kind, source.own_name, label=label, env=self.env,
                                    start_timeout=self.start_timeout, stderr_sink=plugin_log.debug)
            with self._lock:
                self._processes.append(process)
            process.start()
        _log.debug("started %s as pid %s", label, process.pid)
        return CLIENTS[kind](process)

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
