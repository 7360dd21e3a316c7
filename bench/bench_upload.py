"""Upload throughput: kiln's SSH communicator (via the file provisioner) vs OpenSSH scp and tar | ssh.

Starts a real sshd on loopback (tests/sshd_fixture.py), then uploads the same data each way, side by
side in one run: one 100 MiB file and a directory of 2,000 small files. Prints seconds, MiB/s and the
ratio against OpenSSH's scp (ratio < 1.0: kiln is faster). Run: ``.venv/bin/python bench/bench_upload.py``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiln_sdk.communicator.ssh import SSHCommunicator  # noqa: E402
from kiln_sdk.components import BuildInfo, ProvisionContext  # noqa: E402
from kiln_sdk.ui import RecordingUi  # noqa: E402

from tests.sshd_fixture import SSHServer, start_sshd  # noqa: E402


def _ssh_opts(server: SSHServer) -> list[str]:
    return ["-i", str(server.client_key), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "BatchMode=yes"]


def _timed(fn: Callable[[], object]) -> float:
    """Seconds ``fn`` took, or the seconds it reports itself (when it times only part of its work)."""
    start = time.perf_counter()
    reported = fn()
    elapsed = time.perf_counter() - start
    return reported if isinstance(reported, float) else elapsed


def _sh(cmd: str) -> None:
    subprocess.run(cmd, shell=True, check=True)


def _file_provision(comm: SSHCommunicator, source: str, destination: str) -> None:
    from kiln_plugins.provisioner.file import FileConfig, FileProvisioner

    prov = FileProvisioner()
    prov.prepare(FileConfig(source=source, destination=destination), BuildInfo())
    prov.provision(ProvisionContext(ui=RecordingUi(), communicator=comm))


def _via_plugin_processes(server: SSHServer, source: str, destination: str) -> float:
    """The real architecture: a null-builder process serves its SSH connection, a file-provisioner
    process uploads through it over gRPC. Times the provisioner's call only (not process starts)."""
    from kiln_sdk.testing import Callbacks, HookCall, start_component

    bundled = [sys.executable, "-m", "kiln_plugins"]
    took: list[float] = []
    with start_component(bundled, "provisioner", "file") as prov:
        def hook(call: HookCall) -> None:
            assert not prov.prepare({"source": source, "destination": destination}, BuildInfo()).errors
            start = time.perf_counter()
            result = prov.provision(cb.ui_ref, call.communicator, call.data)
            took.append(time.perf_counter() - start)
            assert not result.error, result.error

        with start_component(bundled, "builder", "null") as builder, Callbacks(hook=hook) as cb:
            settings = {"communicator": "ssh", "ssh_host": server.host, "ssh_port": server.port,
                        "ssh_username": "root", "ssh_private_key_file": str(server.client_key)}
            assert not builder.prepare(settings, BuildInfo()).errors
            result = builder.run(cb.ui_ref, cb.hook_ref)
            assert not result.error, result.error
    return took[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=100)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kiln-bench-"))
    server = start_sshd(work / "sshd")
    try:
        big = work / "big.bin"
        with open(big, "wb") as fh:
            for _ in range(args.size_mib):
                fh.write(os.urandom(1 << 20))
        small = work / "small"
        for i in range(args.files):
            d = small / f"d{i % 40:02d}"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"f{i:04d}.txt").write_bytes(os.urandom(200 + (i * 37) % 3000))
        remote = work / "remote"
        ssh = " ".join(_ssh_opts(server))
        host = f"root@{server.host}"
        scp = f"scp -q {ssh} -P {server.port}"
        tar_ssh = f"ssh {ssh} -p {server.port} {host}"
        comms = {m: server.config(ssh_file_transfer_method=m).open_communicator() for m in ("scp", "sftp")}

        def fresh() -> Path:
            shutil.rmtree(remote, ignore_errors=True)
            remote.mkdir()
            return remote

        mux = f"{ssh} -o ControlMaster=auto -o ControlPath={work}/mux-%C -o ControlPersist=120"
        scp_mux = f"scp -q {mux} -P {server.port}"
        _sh(f"ssh {mux} -p {server.port} {host} true")  # open the shared connection once
        r = str(remote)
        cases: dict[str, dict[str, Callable[[], object]]] = {
            f"{args.size_mib} MiB file": {
                "OpenSSH scp": lambda: _sh(f"{scp} {big} {host}:{r}/big.bin"),
                "OpenSSH scp (mux)": lambda: _sh(f"{scp_mux} {big} {host}:{r}/big.bin"),
                "tar | ssh": lambda: _sh(f"tar -C {work} -cf - big.bin | {tar_ssh} 'tar -xf - -C {r}'"),
                "kiln file (scp)": lambda: _file_provision(comms["scp"], str(big), f"{r}/big.bin"),  # type: ignore[arg-type]
                "kiln file (sftp)": lambda: _file_provision(comms["sftp"], str(big), f"{r}/big.bin"),  # type: ignore[arg-type]
                "kiln file, 2 processes": lambda: _via_plugin_processes(server, str(big), f"{r}/big.bin"),
            },
            f"{args.files} small files": {
                "OpenSSH scp -r": lambda: _sh(f"{scp} -r {small} {host}:{r}/"),
                "OpenSSH scp -r (mux)": lambda: _sh(f"{scp_mux} -r {small} {host}:{r}/"),
                "tar | ssh": lambda: _sh(f"tar -C {work} -cf - small | {tar_ssh} 'tar -xf - -C {r}'"),
                "kiln file (one tar)": lambda: _file_provision(comms["scp"], str(small), f"{r}/"),  # type: ignore[arg-type]
                "kiln file, 2 processes": lambda: _via_plugin_processes(server, str(small), f"{r}/"),
            },
        }
        size = {f"{args.size_mib} MiB file": big.stat().st_size,
                f"{args.files} small files": sum(p.stat().st_size for p in small.rglob("*") if p.is_file())}
        print("kiln's connection is already open, as in a build; 'mux' rows reuse one OpenSSH connection too; '2 processes' is builder + provisioner plugin processes over gRPC.")
        for title, runs in cases.items():
            print(f"\n== {title} ({size[title] / 2**20:.1f} MiB)")
            times: dict[str, float] = {}
            for name, fn in runs.items():
                best = float("inf")
                for _ in range(args.repeat):
                    fresh()
                    best = min(best, _timed(fn))
                times[name] = best
            base = next(iter(times.values()))
            for name, t in times.items():
                print(f"  {name:24s} {t:7.3f} s  {size[title] / 2**20 / t:8.1f} MiB/s  x{t / base:5.2f} of scp")
        _sh(f"ssh {mux} -p {server.port} -O exit {host} 2>/dev/null || true")
        for c in comms.values():
            if c is not None:
                c.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
