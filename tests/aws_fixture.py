"""A local AWS for tests: moto in server mode on 127.0.0.1 behind a counting, fault-injecting HTTP proxy.

    from tests.aws_fixture import aws, AwsFixture  # noqa: F401  (pytest fixture, session scoped)

- ``aws.endpoint`` is the proxy's URL: point boto3 / kiln / Packer at it (``custom_endpoint_ec2``,
  ``AWS_ENDPOINT_URL``). Every request is forwarded to moto; ``aws.calls`` lists ``(service, action)``
  of each one, in order (``aws.ec2_calls()`` counts the EC2 ones); ``aws.signers`` adds the access key id
  that signed it; ``aws.requests`` the region and the parameters of each query-protocol (EC2, STS) call.
- ``aws.inject(action, status, code, times)`` makes the next ``times`` requests of ``action`` fail with
  that HTTP status and AWS error code (throttling, 5xx) without reaching moto.
- ``aws.hold(action)`` holds the next request of ``action`` at the proxy (``hold.arrived`` is set when it
  comes) until ``hold.release`` is set: a test can kill a process at a known point of its work.
- ``aws.reset()`` clears moto's state (``POST /moto-api/reset``), the call log, the faults and the holds.
- ``aws.client(service, region)`` is a boto3 client on moto itself (not counted).
- ``start_aws(workdir)`` does the same outside pytest (the benchmark uses it).
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.sshd_fixture import free_port

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIAKILNTEST", "AWS_SECRET_ACCESS_KEY": "kiln-test-secret-not-real"}
_SCOPE = re.compile(r"Credential=([^/]+)/\d+/([^/]+)/([^/]+)/")


@dataclass
class Fault:
    action: str
    status: int
    code: str
    times: int


@dataclass
class Hold:
    action: str
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@dataclass
class AwsFixture:
    moto_url: str
    proxy: ThreadingHTTPServer
    proc: subprocess.Popen[bytes]
    workdir: Path
    calls: list[tuple[str, str]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    signers: list[tuple[str, str, str]] = field(default_factory=list)  # (service, action, access key id)
    requests: list[tuple[str, str, str, dict[str, str]]] = field(default_factory=list)  # + region, query params
    lock: threading.Lock = field(default_factory=threading.Lock)
    baseline: set[str] = field(default_factory=set)  # ids moto itself creates (its images' snapshots)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.proxy.server_address[1]}"

    def env(self) -> dict[str, str]:
        """Environment for a process that talks to this AWS (fake static credentials, no profile)."""
        return {**CREDENTIALS, "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": str(self.workdir / "no-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(self.workdir / "no-credentials")}

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{self.moto_url}/moto-api/reset", method="POST"), timeout=10)
        with self.lock:
            self.calls.clear()
            self.signers.clear()
            self.requests.clear()
            self.faults.clear()
            for held in self.holds:
                held.release.set()
            self.holds.clear()

    def inject(self, action: str, status: int, code: str, times: int = 1) -> None:
        with self.lock:
            self.faults.append(Fault(action, status, code, times))

    def hold(self, action: str) -> Hold:
        held = Hold(action)
        with self.lock:
            self.holds.append(held)
        return held

    def _take_hold(self, action: str) -> Hold | None:
        with self.lock:
            for held in self.holds:
                if held.action == action and not held.arrived.is_set():
                    held.arrived.set()
                    return held
        return None

    def ec2_calls(self) -> list[str]:
        with self.lock:
            return [a for s, a in self.calls if s == "ec2"]

    def client(self, service: str, region: str = "us-east-1") -> Any:
        import boto3

        return boto3.client(service, region_name=region, endpoint_url=self.moto_url,  # type: ignore[call-overload]
                            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"])

    def _take_fault(self, action: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.action == action and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def stop(self) -> None:
        self.proxy.shutdown()
        self.proxy.server_close()
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _handler(fixture_ref: list[AwsFixture]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

        def _forward(self) -> None:
            fx = fixture_ref[0]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            scope = _SCOPE.search(self.headers.get("Authorization", ""))
            service = scope.group(3) if scope else ""
            key_id = scope.group(1) if scope else ""
            target = self.headers.get("X-Amz-Target", "")
            action = target.rsplit(".", 1)[-1] if target else ""
            if not action:
                form = urllib.parse.parse_qs(body.decode(errors="replace"))
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                action = (form.get("Action") or query.get("Action") or [""])[0]
            if not self.path.startswith("/moto-api"):
                params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(errors="replace")).items()} \
                    if not target else {}
                with fx.lock:
                    fx.calls.append((service, action))
                    fx.signers.append((service, action, key_id))
                    fx.requests.append((service, scope.group(2) if scope else "", action, params))
            held = fx._take_hold(action)
            if held is not None:
                held.release.wait(300)
            fault = fx._take_fault(action)
            if fault is not None:
                payload = (f'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{fault.code}'
                           f"</Code><Message>injected by the test proxy</Message></Error></Errors>"
                           f"<RequestID>kiln-test</RequestID></Response>").encode()
                self.send_response(fault.status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            url = urllib.parse.urlsplit(fx.moto_url)
            conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("transfer-encoding", "connection", "content-length", "server", "date"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

    return Handler


def start_aws(workdir: Path | str) -> AwsFixture:
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    moto_server = shutil.which("moto_server", path=os.path.dirname(sys.executable)) or "moto_server"
    for attempt in range(5):
        port = free_port()
        log = open(work / "moto.log", "wb")
        proc = subprocess.Popen([moto_server, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL)
        log.close()
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=2)
                break
            except OSError:
                time.sleep(0.05)
        else:
            proc.kill()
            proc.wait()
            if attempt == 4:
                raise RuntimeError(f"moto_server did not start:\n{(work / 'moto.log').read_text()}")
            continue
        ref: list[AwsFixture] = []
        proxy = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
        proxy.daemon_threads = True
        fixture = AwsFixture(url, proxy, proc, work)
        ref.append(fixture)
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        return fixture
    raise AssertionError("unreachable")


@pytest.fixture(scope="session")
def aws() -> Iterator[AwsFixture]:
    work = tempfile.mkdtemp(prefix="kiln-aws-")
    fixture = start_aws(work)
    try:
        yield fixture
    finally:
        fixture.stop()
        shutil.rmtree(work, ignore_errors=True)
