"""Child processes that never outlive their parent (Linux): what plugins start, and the plugins kiln starts.

``start_process(argv, ...)`` is ``subprocess.Popen`` with three additions:

- the child leads a process group of its own (``start_new_session``), so it and everything it starts
  can be signalled together (``kill_process_group``);
- on Linux the kernel sends it ``death_signal`` (SIGKILL unless told otherwise) when this process dies,
  however it dies (``PR_SET_PDEATHSIG``). The child is started through util-linux's ``setpriv
  --pdeathsig``, which sets it and execs the program (same pid): setting it from Python between fork
  and exec (``preexec_fn`` calling ``prctl`` through ctypes) runs Python code in the child of a
  multi-threaded process, and with gRPC's threads around that child crashed (SIGSEGV, SIGABRT) in about
  one start in three under load. The kernel ties the signal to the *thread* that forked the child, so
  every child is forked by one long-lived thread of this module, never by a short-lived worker thread
  whose end would kill it. Without ``setpriv`` (not Linux) there is no death signal: only the next point;
- it is remembered until it is reaped, so ``kill_all_children()`` (called by ``serve()`` when the core
  goes away: its stdin closed, SIGTERM, or the core's own death) kills every process group still
  running, the grandchildren of a shell script included, and runs the ``on_kill_all`` hooks (the SSH
  communicator signals its running remote commands).

Plugins start their commands with it (shell-local, the local communicator, docker), and the core starts
plugin processes with it (``death_signal=SIGTERM``, so a plugin can still kill its own children).
"""

from __future__ import annotations

import errno
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any

__all__ = ["kill_all_children", "kill_process_group", "on_kill_all", "start_process"]

_SETPRIV = shutil.which("setpriv", path="/usr/bin:/bin:/usr/sbin:/sbin") if sys.platform.startswith("linux") else None

_children: weakref.WeakSet[subprocess.Popen[Any]] = weakref.WeakSet()
_children_lock = threading.Lock()
_requests: queue.SimpleQueue[tuple[Callable[[], subprocess.Popen[Any]], Future[subprocess.Popen[Any]]]] = (
    queue.SimpleQueue())
_spawner: threading.Thread | None = None
_spawner_lock = threading.Lock()
_kill_hooks: list[Callable[[], None]] = []


def _serve_requests() -> None:
    while True:
        make, result = _requests.get()
        if not result.set_running_or_notify_cancel():
            continue
        try:
            result.set_result(make())
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who raises it
            result.set_exception(exc)


def _on_spawner_thread(make: Callable[[], subprocess.Popen[Any]]) -> subprocess.Popen[Any]:
    global _spawner
    with _spawner_lock:
        if _spawner is None or not _spawner.is_alive():
            _spawner = threading.Thread(target=_serve_requests, name="kiln-sdk child spawner", daemon=True)
            _spawner.start()
    if threading.current_thread() is _spawner:
        return make()
    result: Future[subprocess.Popen[Any]] = Future()
    _requests.put((make, result))
    return result.result()


def _resolve(program: str, env: Mapping[str, str] | None, cwd: str | os.PathLike[str] | None) -> str:
    """``program`` as ``Popen`` would find it (so a missing one still raises FileNotFoundError here)."""
    if os.sep in program:
        full = program if os.path.isabs(program) else os.path.join(os.fspath(cwd or "."), program)
        if os.path.exists(full):
            return program
    else:
        path = (env if env is not None else os.environ).get("PATH", os.defpath)
        found = shutil.which(program, path=path)
        if found is not None:
            return found
    raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), program)


def start_process(argv: Sequence[str], *, death_signal: int = signal.SIGKILL, **popen: Any) -> subprocess.Popen[Any]:
    """``subprocess.Popen(argv, **popen)`` in a new process group that dies with this process (see the
    module's docstring). ``popen`` takes Popen's arguments except ``start_new_session``, ``preexec_fn``
    and ``executable``."""
    for unsupported in ("start_new_session", "preexec_fn", "executable"):
        popen.pop(unsupported, None)
    args = list(argv)
    if _SETPRIV is not None and args:
        args = [_SETPRIV, f"--pdeathsig={signal.Signals(death_signal).name}", "--",
                _resolve(args[0], popen.get("env"), popen.get("cwd")), *args[1:]]

    def make() -> subprocess.Popen[Any]:
        return subprocess.Popen(args, start_new_session=True, **popen)

    proc = _on_spawner_thread(make)
    with _children_lock:
        _children.add(proc)
    return proc


def kill_process_group(proc: subprocess.Popen[Any], sig: int = signal.SIGKILL) -> None:
    """Signal ``proc``'s process group (it and what it started), unless it was already reaped."""
    if proc.returncode is not None:
        return  # reaped: its group id may belong to someone else by now
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def on_kill_all(hook: Callable[[], None]) -> None:
    """Run ``hook`` in :func:`kill_all_children` as well: what this process started elsewhere (the SSH
    communicator signals the remote commands it runs, which would otherwise outlive their connection)."""
    _kill_hooks.append(hook)


def kill_all_children(sig: int = signal.SIGKILL) -> int:
    """Signal the process group of every child ``start_process`` started that is not reaped yet (and run
    the :func:`on_kill_all` hooks); how many children were signalled."""
    for hook in list(_kill_hooks):
        try:
            hook()
        except Exception:  # noqa: BLE001 - the process is ending: kill the rest regardless
            pass
    with _children_lock:
        running = [p for p in _children if p.returncode is None]
    for proc in running:
        kill_process_group(proc, sig)
    return len(running)
