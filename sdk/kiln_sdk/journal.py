"""The cleanup journal: every cloud resource a build creates is written down before the build moves on,
and crossed out once it is cleaned up (or handed over as an artifact), so that ``kiln cleanup`` can remove
what a killed kiln (SIGKILL, power loss) left behind. Any plugin can use it:

    from kiln_sdk import Builder, JournalEntry, journal

    class MyBuilder(Builder[Config]):
        def run(self, ctx):
            entry = journal().record("instance", instance_id, kind="builder", component="my-builder",
                                     region=region)                           # fsync'd before it returns
            ...
            terminate(instance_id)
            entry.done()                                                        # crossed out

        @classmethod
        def cleanup_resource(cls, entry: JournalEntry, ui: Ui) -> None:
            '''Called by `kiln cleanup` (in a new plugin process) for each resource still written down.'''
            terminate(entry.resource_id, region=entry.attrs["region"])

Where: one file per plugin process in ``$KILN_JOURNAL_DIR``, else ``$XDG_STATE_HOME/kiln/journal``, else
``~/.local/state/kiln/journal``. A file is JSON lines (``{"op": "add", ...}`` / ``{"op": "done", "id": ...}``),
each appended with one ``write`` and ``fsync``'d; a torn last line (power loss) is ignored. The process
holds an exclusive ``flock`` on its file while it lives, so ``kiln cleanup`` never touches the resources
of a build that is still running. A file whose entries are all done is removed when the process ends.

A journal must never hold a secret: record ids, names, regions and endpoints only. ``cleanup_resource``
gets its credentials from the environment of ``kiln cleanup`` (e.g. ``AWS_*`` variables or a profile),
never from the journal.

How ``kiln cleanup`` reaches the plugin: each entry names the command that started the plugin process
and its component (kind and name as registered in ``serve``), whose class has the ``cleanup_resource`` hook; ``kiln cleanup`` runs
``COMMAND cleanup`` (a verb of ``kiln_sdk.serve``) with the entries as JSON lines on stdin, and the SDK
calls ``cleanup_resource`` for each, in reverse order of creation, printing one JSON result per line.
No RPC is involved.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JOURNAL_DIR_ENV = "KILN_JOURNAL_DIR"
SUFFIX = ".journal"


def journal_dir(env: Mapping[str, str] | None = None) -> Path:
    """The journal directory the core and every plugin agree on (from the environment they share)."""
    env = os.environ if env is None else env
    if env.get(JOURNAL_DIR_ENV):
        return Path(env[JOURNAL_DIR_ENV]).expanduser()
    base = env.get("XDG_STATE_HOME") or os.path.join(env.get("HOME", "~"), ".local", "state")
    return Path(base).expanduser() / "kiln" / "journal"


@dataclass
class JournalEntry:
    """One resource a build created: what it is, where it lives, which plugin can delete it."""

    id: str
    resource_type: str
    resource_id: str
    attrs: dict[str, Any] = field(default_factory=dict)
    kind: str = ""  # the component that created it: "builder", ...
    component: str = ""  # its name inside its plugin ("ebs")
    command: list[str] = field(default_factory=list)  # how to start that plugin
    build_name: str = ""
    created: float = 0.0
    _journal: Journal | None = field(default=None, repr=False, compare=False)

    def done(self) -> None:
        """Cross the resource out: it is cleaned up, or it is the build's result now."""
        if self._journal is not None:
            self._journal.forget(self)

    def to_json(self) -> dict[str, Any]:
        """The entry as the journal file's JSON."""
        return {"id": self.id, "type": self.resource_type, "resource": self.resource_id, "attrs": self.attrs,
                "kind": self.kind, "component": self.component, "command": self.command,
                "build_name": self.build_name, "created": self.created}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JournalEntry:
        """The entry ``to_json`` wrote."""
        return cls(id=str(data["id"]), resource_type=str(data.get("type", "")),
                   resource_id=str(data.get("resource", "")), attrs=dict(data.get("attrs") or {}),
                   kind=str(data.get("kind", "")), component=str(data.get("component", "")),
                   command=[str(c) for c in data.get("command") or []], build_name=str(data.get("build_name", "")),
                   created=float(data.get("created") or 0))


# How to start this plugin executable again, set by serve() (one process serves all its components).
_COMMAND: list[str] = []


def set_command(command: Sequence[str]) -> None:
    _COMMAND[:] = list(command)


class Journal:
    """This process's journal file. Thread-safe; ``record`` returns once the entry is on disk."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or journal_dir()
        self._lock = threading.Lock()
        self._fd: int | None = None
        self.path: Path | None = None
        self._open: set[str] = set()

    def _ensure_open(self) -> int:
        if self._fd is None:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            name = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:8]}{SUFFIX}"
            self.path = self.directory / name
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_EXCL, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            _fsync_dir(self.directory)
            self._fd = fd
        return self._fd

    def _append(self, record: Mapping[str, Any]) -> None:
        fd = self._ensure_open()
        os.write(fd, (json.dumps(record, sort_keys=True) + "\n").encode())
        os.fsync(fd)

    def record(self, resource_type: str, resource_id: str, *, kind: str, component: str, build_name: str = "",
               **attrs: Any) -> JournalEntry:
        """Write down a resource that now exists (or is about to); fsync'd before this returns.

        ``kind``/``component`` name the component class (as registered in ``serve``) whose
        ``cleanup_resource`` deletes it. ``attrs`` must be JSON values and never secrets (ids, names,
        regions, endpoints)."""
        entry = JournalEntry(id=uuid.uuid4().hex, resource_type=resource_type, resource_id=resource_id,
                             attrs=dict(attrs), kind=kind, component=component, command=list(_COMMAND),
                             build_name=build_name, created=time.time(), _journal=self)
        with self._lock:
            self._append({"op": "add", **entry.to_json()})
            self._open.add(entry.id)
        return entry

    def forget(self, entry: JournalEntry) -> None:
        """Cross ``entry`` out (once); the file goes when nothing is left in it."""
        with self._lock:
            if entry.id not in self._open:
                return
            self._append({"op": "done", "id": entry.id})
            self._open.discard(entry.id)
            if not self._open:
                self._remove()

    def pending(self) -> list[JournalEntry]:
        """The entries of this process not crossed out yet."""
        with self._lock:
            return [e for e in read_entries(self.path) if e.id in self._open] if self.path else []

    def _remove(self) -> None:
        """Everything is crossed out: the file has nothing to say any more."""
        if self._fd is not None and self.path is not None:
            try:
                self.path.unlink()
            except OSError:
                pass
            os.close(self._fd)
            self._fd = None
            self.path = None


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_JOURNAL: Journal | None = None
_JOURNAL_LOCK = threading.Lock()


def journal() -> Journal:
    """This process's journal (created on first use, in ``journal_dir()``)."""
    global _JOURNAL
    with _JOURNAL_LOCK:
        if _JOURNAL is None:
            _JOURNAL = Journal()
        return _JOURNAL


def read_entries(path: Path) -> list[JournalEntry]:
    """The entries of a journal file that are not crossed out, in the order they were recorded."""
    entries: dict[str, JournalEntry] = {}
    try:
        lines = path.read_bytes().split(b"\n")
    except OSError:
        return []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # empty, or torn by a crash mid-write
        if not isinstance(record, dict):
            continue
        if record.get("op") == "add" and "id" in record:
            entries[str(record["id"])] = JournalEntry.from_json(record)
        elif record.get("op") == "done":
            entries.pop(str(record.get("id")), None)
    return list(entries.values())


@dataclass
class LeftOver:
    """A journal file of a process that is gone, with the entries it did not cross out."""

    path: Path
    entries: list[JournalEntry]
    fd: int  # holds the file's lock while kiln cleanup works on it

    def release(self, remove: bool) -> None:
        if remove:
            try:
                self.path.unlink()
            except OSError:
                pass
        os.close(self.fd)

    def rewrite(self, remaining: Sequence[JournalEntry]) -> None:
        """Keep only ``remaining`` (atomically: a new file renamed over the old one, still locked)."""
        if not remaining:
            self.release(remove=True)
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w") as fh:
            for e in remaining:
                fh.write(json.dumps({"op": "add", **e.to_json()}, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        _fsync_dir(self.path.parent)
        os.close(self.fd)


def left_overs(directory: Path | None = None) -> Iterator[LeftOver]:
    """Journal files no living process holds, locked for the caller; empty ones are removed on the way."""
    directory = directory or journal_dir()
    if not directory.is_dir():
        return
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)  # its process is still running: its build cleans up after itself
            continue
        if not path.exists():  # removed by its process between glob and lock
            os.close(fd)
            continue
        entries = read_entries(path)
        if not entries:
            LeftOver(path, [], fd).release(remove=True)
            continue
        yield LeftOver(path, entries, fd)


def cleanup_verb(load_component: Any, stdin: Any = None, stdout: Any = None) -> int:
    """``PLUGIN cleanup``: JSON entries on stdin (newest last); calls each component class's
    ``cleanup_resource(entry, ui)`` newest first; one JSON result per line on stdout."""
    from kiln_sdk.ui import Ui

    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout

    class _Lines(Ui):
        def __init__(self, entry_id: str) -> None:
            self.entry_id = entry_id

        def _out(self, kind: str, text: str) -> None:
            stdout.write(json.dumps({"id": self.entry_id, kind: text}) + "\n")
            stdout.flush()

        def say(self, message: str) -> None:
            self._out("say", message)

        def message(self, message: str) -> None:
            self._out("message", message)

        def error(self, message: str) -> None:
            self._out("message", message)

        def machine(self, type_: str, *args: str) -> None:
            pass

        def ask(self, query: str) -> str:
            return ""

    entries = [JournalEntry.from_json(json.loads(line)) for line in stdin.read().splitlines() if line.strip()]
    failed = 0
    for entry in reversed(entries):
        try:
            cls = load_component(entry.kind, entry.component)
            hook = getattr(cls, "cleanup_resource", None)
            if hook is None:
                raise RuntimeError(f"{entry.kind} {entry.component!r} cannot clean up {entry.resource_type}s")
            hook(entry, _Lines(entry.id))
        except Exception as exc:  # noqa: BLE001 - reported per resource; the others still run
            failed += 1
            stdout.write(json.dumps({"id": entry.id, "ok": False, "error": f"{exc}"}) + "\n")
        else:
            stdout.write(json.dumps({"id": entry.id, "ok": True}) + "\n")
        stdout.flush()
    return 1 if failed else 0
