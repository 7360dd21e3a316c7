"""``kiln console``: piped input, file input, a terminal, and JSON (Go template) mode."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from kiln.console import HCL2_HELP, run_console

from tests.core.template.tplutil import NULL_BUILD, write

TEMPLATE = 'variable "x" { default = "hello" }\nlocals { l = upper(var.x) }\n' + NULL_BUILD


def _console(path: str | None, text: str, **kw: object) -> tuple[int, str]:
    out = io.StringIO()
    rc = run_console(path, kw.get("var_files", []), kw.get("vars", []), io.StringIO(text), out,  # type: ignore[arg-type]
                     io.StringIO())
    return rc, out.getvalue()


def test_piped_prints_the_last_result_and_every_error(tmp_path: Path) -> None:
    write(tmp_path, {"a.pkr.hcl": TEMPLATE})
    assert _console(str(tmp_path), "var.x\nlocal.l\n") == (0, "HELLO\n")
    rc, out = _console(str(tmp_path), "var.nope\nvar.x\n")
    assert rc == 1
    assert out == ('Error: Unsupported attribute\n\n  on <console-input> line 1:\n  (source code not available)\n\n'
                   'This object does not have an attribute named "nope".\n\n\nhello\n')
    assert _console(str(tmp_path), "var.x\nexit\n") == (0, "\n")
    assert _console(str(tmp_path), "help\n") == (0, HCL2_HELP + "\n")


def test_vars_flags_and_variables_command(tmp_path: Path) -> None:
    write(tmp_path, {"a.pkr.hcl": TEMPLATE, "v.pkrvars.hcl": 'x = "from file"\n'})
    rc, out = _console(str(tmp_path), "variables\n", var_files=[str(tmp_path / "v.pkrvars.hcl")])
    assert out == '> input-variables:\n\nvar.x: "from file"\n\n> local-variables:\n\nlocal.l: "FROM FILE"\n\n'
    assert _console(str(tmp_path), "var.x\n", vars=[("x", "cli")]) == (0, "cli\n")


def test_file_input_prints_every_result(tmp_path: Path) -> None:
    write(tmp_path, {"a.pkr.hcl": TEMPLATE, "in.txt": "var.x\n1+\nlocal.l\nexit\nvar.x\n"})
    out = io.StringIO()
    with open(tmp_path / "in.txt") as stdin:
        rc = run_console(str(tmp_path), [], [], stdin, out, io.StringIO())
    assert rc == 0
    text = out.getvalue()
    assert text.startswith("hello\nError: Invalid expression\n") and text.endswith("token.\n\n\n\nHELLO\n")


def test_load_errors_and_warnings(tmp_path: Path) -> None:
    write(tmp_path, {"a.pkr.hcl": "locals { a = 1 \n"})
    rc, out = _console(str(tmp_path), "1\n")
    assert rc == 1 and out.startswith("Error: ")
    write(tmp_path, {"a.pkr.hcl": TEMPLATE, "w.auto.pkrvars.hcl": "undeclared = 1\n"})
    rc, out = _console(str(tmp_path), "var.x\n")
    assert rc == 0 and out.startswith("Warning: Undefined variable\n") and out.endswith("\n\nhello\n")


def test_json_mode_without_template_and_with_a_legacy_template(tmp_path: Path) -> None:
    assert _console(None, 'upper("a")\n') == (0, 'upper("a")\n')
    assert _console(None, "{{ upper `a` }}\n") == (0, "A\n")
    write(tmp_path, {"t.json": '{"variables": {"x": "hi", "s": "secret"}, "sensitive-variables": ["s"],'
                               ' "builders": [{"type": "null", "communicator": "none"}]}'})
    path = str(tmp_path / "t.json")
    assert _console(path, "{{user `x`}} {{user `s`}}\n") == (0, "hi <sensitive>\n")
    assert _console(path, "{{user `x`}}\n", vars=[("x", "cli")]) == (0, "cli\n")
    rc, out = _console(path, "{{ nope }}\n")
    assert rc == 0 and out.startswith("???????: Interpolation error\n\ntemplate: root:1: function \"nope\" not defined")


def test_terminal_prompt(tmp_path: Path) -> None:
    write(tmp_path, {"a.pkr.hcl": TEMPLATE})
    code = ("import sys; from kiln.console import run_console; "
            f"sys.exit(run_console({str(tmp_path)!r}, [], [], sys.stdin, sys.stdout, sys.stderr))")
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execv(sys.executable, [sys.executable, "-c", code])
    out = b""

    def read_until(marker: bytes, timeout: float = 20.0) -> None:
        nonlocal out
        end = time.monotonic() + timeout
        while marker not in out and time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    out += os.read(fd, 4096)
                except OSError:
                    return

    read_until(b"> ")
    os.write(fd, b"upper(var.x)\r")
    read_until(b"HELLO")
    os.write(fd, b"exit\r")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert b"HELLO" in out and os.waitstatus_to_exitcode(status) == 0


def test_cli_console_verb(tmp_path: Path) -> None:
    write(tmp_path, {"a.pkr.hcl": TEMPLATE})
    kiln = os.path.join(os.path.dirname(sys.executable), "kiln")
    proc = subprocess.run([kiln, "console", "-var", "x=v", str(tmp_path)],
                          input="upper(var.x)\n", capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout) == (0, "V\n"), proc.stderr


def test_hcl2_mode_without_template() -> None:
    def run(text: str) -> tuple[int, str]:
        out = io.StringIO()
        return run_console(None, [], [], io.StringIO(text), out, io.StringIO(), config_type="hcl2"), out.getvalue()

    assert run('upper("a")\n') == (0, "A\n")
    assert run("var\n") == (0, "{}\n")
    assert run("path.root\n") == (0, "\n")  # empty without a template, as in Packer
