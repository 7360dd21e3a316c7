"""A real plugin registry for tests: a plugin project scaffolded by ``kiln-sdk new``, published by
``kiln-sdk publish`` (building wheels takes seconds: build it once per session and copy it), and a real
HTTP server on 127.0.0.1 that serves a registry folder, with faults a test can switch on per path.

    reg = published_registry(tmp_path_factory)        # Registry(root, key, source, version, ...)
    with RegistryServer(reg.root) as server:          # http://127.0.0.1:PORT/
        server.fault("/example.com/example/hello/0.1.0/", "500")
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

KILN_SDK = [sys.executable, "-m", "kiln_sdk._cli.main"]
SOURCE = "example.com/example/hello"
VERSION = "0.1.0"


def run(command: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,  # type: ignore[call-overload,no-any-return]
                          **kw)


def sdk_env(home: Path) -> dict[str, str]:
    """The environment of a kiln-sdk run: its config (default signing keys) inside ``home``."""
    env = dict(os.environ, XDG_CONFIG_HOME=str(home / "config"), HOME=str(home))
    env.pop("KILN_PLUGIN_PATH", None)
    return env


def make_key(path: Path) -> str:
    """A new ed25519 signing key (PEM) at ``path``; its public key ``ed25519:...``."""
    from kiln_sdk import registry

    path.write_bytes(registry.generate_private_key_pem())
    return registry.SigningKey(path.read_bytes(), str(path)).public_key


def scaffold(name: str, root: Path, version: str = VERSION, dependencies: list[str] | None = None) -> Path:
    """``kiln-sdk new NAME`` in ``root``, with ``version`` and extra ``dependencies`` in its pyproject."""
    out = run([*KILN_SDK, "new", name, "--dir", str(root)])
    assert out.returncode == 0, out.stderr
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text().replace('version = "0.1.0"', f'version = "{version}"')
    if dependencies:
        text = text.replace('dependencies = ["kiln-sdk', "dependencies = [" + "".join(f'"{d}", ' for d in dependencies)
                            + '"kiln-sdk', 1)
    pyproject.write_text(text)
    return root


def publish(project: Path, registry_dir: Path, source: str, key: Path, home: Path,
            *extra: str) -> subprocess.CompletedProcess[str]:
    return run([*KILN_SDK, "publish", str(project), "--registry", str(registry_dir), "--source", source,
                "--key", str(key), *extra], env=sdk_env(home))


@dataclass
class Registry:
    root: Path  # the registry folder
    key: Path  # the private key that signed it
    public_key: str
    project: Path
    home: Path
    source: str = SOURCE
    version: str = VERSION
    publish_output: str = ""

    def copy(self, to: Path) -> Registry:
        shutil.copytree(self.root, to)
        return Registry(to, self.key, self.public_key, self.project, self.home, self.source, self.version,
                        self.publish_output)

    @property
    def release(self) -> Path:
        return self.root / self.source / self.version

    @property
    def archive(self) -> Path:
        return next(self.release.glob("*.zip"))


_CACHE: dict[str, Registry] = {}


def published_registry(base: Path) -> Registry:
    """The hello plugin 0.1.0 published into a registry folder under ``base`` (once per process)."""
    if "hello" not in _CACHE:
        base.mkdir(parents=True, exist_ok=True)
        home = base / "home"
        home.mkdir()
        key = base / "signing.pem"
        public = make_key(key)
        project = scaffold("hello", base / "hello")
        out = publish(project, base / "registry", SOURCE, key, home)
        assert out.returncode == 0, out.stdout + out.stderr
        _CACHE["hello"] = Registry(base / "registry", key, public, project, home, publish_output=out.stdout)
    return _CACHE["hello"]


@dataclass
class _Faults:
    by_prefix: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class RegistryServer:
    """``http.server`` serving a folder on 127.0.0.1 in a thread. ``fault(prefix, kind)`` makes every
    request whose path starts with ``prefix`` fail: ``404``, ``500``, ``slow`` (headers, then silence for
    longer than the client's time-out), ``truncated`` (a Content-Length larger than the body sent)."""

    def __init__(self, root: Path, slow_seconds: float = 30.0) -> None:
        self.root = root
        self.faults = _Faults()
        self.slow_seconds = slow_seconds
        self._stop = threading.Event()
        faults, stop, slow = self.faults, self._stop, slow_seconds

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: object, **kw: object) -> None:
                super().__init__(*args, directory=str(root), **kw)  # type: ignore[arg-type]

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with faults.lock:
                    faults.requests.append(self.path)
                    kind = next((k for p, k in faults.by_prefix.items() if self.path.startswith(p)), None)
                if kind == "404":
                    self.send_error(404, "Not Found")
                elif kind == "500":
                    self.send_error(500, "Internal Server Error")
                elif kind == "slow":
                    self.send_response(200)
                    self.send_header("Content-Length", "100000")
                    self.end_headers()
                    stop.wait(slow)  # the client gives up first (its time-out); the server stops by itself
                elif kind == "truncated":
                    path = Path(self.translate_path(self.path))
                    data = path.read_bytes() if path.is_file() else b"x" * 1000
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                else:
                    super().do_GET()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def fault(self, prefix: str, kind: str) -> None:
        with self.faults.lock:
            self.faults.by_prefix[prefix] = kind

    def clear(self) -> None:
        with self.faults.lock:
            self.faults.by_prefix.clear()

    def __enter__(self) -> RegistryServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=10)


def wait_for(predicate: object, timeout: float = 60.0) -> bool:
    """Poll ``predicate()`` until true (not a timed assertion: a bound on how long to wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False
