"""Run kiln's CLI on many inputs, each in a process of its own, fast: this process imports kiln once and
forks a child per input (the child runs ``kiln.cli.main.main`` as the ``kiln`` command would, with its
own stdin, stdout and stderr files and working directory). A child that runs longer than the time-out
is killed and reported as a hang.

    python tests/fuzz/driver.py CASES.json RESULTS.json

CASES.json: ``[{"name": ..., "argv": [...], "cwd": ..., "stdin": ...}, ...]``; RESULTS.json gets, for
each, ``{"name", "code", "output", "hung"}`` (output: stdout then stderr, at most 20,000 characters).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

TIMEOUT = float(os.environ.get("KILN_FUZZ_TIMEOUT", "120"))  # only matters when something hangs


def _child(case: dict[str, object], out_path: str) -> None:
    os.chdir(str(case["cwd"]))
    stdin_path = out_path + ".in"
    with open(stdin_path, "w") as f:
        f.write(str(case.get("stdin") or ""))
    fd_in = os.open(stdin_path, os.O_RDONLY)
    fd_out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd_in, 0)
    os.dup2(fd_out, 1)
    os.dup2(fd_out, 2)
    os.setsid()  # its own process group: a hang is killed with everything it started
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    sys.argv = ["kiln", *[str(a) for a in case["argv"]]]  # type: ignore[attr-defined]
    from kiln.cli.main import main

    code = 1
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - the traceback is what the test looks for
        import traceback

        traceback.print_exc()
        code = 99
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)


def run_case(case: dict[str, object], out_path: str) -> dict[str, object]:
    pid = os.fork()
    if pid == 0:
        try:
            _child(case, out_path)
        finally:
            os._exit(98)
    started = time.monotonic()
    deadline = started + TIMEOUT
    hung = False
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            hung = True
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            status = -9
            break
        time.sleep(0.005)
    try:
        os.killpg(pid, signal.SIGKILL)  # whatever the input started (a plugin) goes with it
    except (ProcessLookupError, PermissionError):
        pass
    with open(out_path, errors="replace") as f:
        output = f.read(20_000)
    code = os.waitstatus_to_exitcode(status) if status != -9 else -9
    return {"name": case["name"], "code": code, "output": output, "hung": hung,
            "seconds": round(time.monotonic() - started, 3)}


def main() -> None:
    cases = json.loads(open(sys.argv[1]).read())
    import kiln.cli.console  # noqa: F401  - imported once, before the forks
    import kiln.cli.fix  # noqa: F401
    import kiln.cli.main  # noqa: F401
    import kiln.cli.validate  # noqa: F401
    import kiln.template  # noqa: F401
    try:  # what validate loads once a template parses: the plugin layer and gRPC
        import grpc  # noqa: F401
        import kiln.engine.session  # noqa: F401
        import kiln.plugins.host  # noqa: F401
    except ImportError:
        pass

    out_dir = os.path.dirname(os.path.abspath(sys.argv[2]))
    results = [run_case(case, os.path.join(out_dir, f"out-{i}.txt")) for i, case in enumerate(cases)]
    with open(sys.argv[2], "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
