"""``kiln-sdk new`` writes a plugin project whose tests pass as generated, whose example template
builds with all four of its components through KILN_PLUGIN_PATH, and whose docs ``kiln-sdk docs``
writes. The project is installed (editable, no network) into a venv of its own that sees this one's
packages, so the test leaves kiln's environment as it was."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
KILN_SDK = [sys.executable, "-m", "kiln_sdk._cli.main"]


class Project:
    def __init__(self, root: Path, venv: Path) -> None:
        self.root = root
        self.venv = venv
        self.python = venv / "bin" / "python"
        self.env = dict(os.environ, PATH=f"{venv / 'bin'}{os.pathsep}{BIN}{os.pathsep}{os.environ['PATH']}")
        for key in ("KILN_PLUGIN_PATH", "PYTEST_XDIST_WORKER", "PYTEST_ADDOPTS"):
            self.env.pop(key, None)


def _run(command: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=300, **kw)  # type: ignore[call-overload,no-any-return]


def _venv(venv: Path) -> None:
    """A new venv that sees this venv's packages (kiln_sdk, pytest, setuptools) and their editable installs."""
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    purelib = _run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
                   ).stdout.strip()
    Path(purelib, "kiln-parent.pth").write_text(f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")


def _install(root: Path, venv: Path) -> None:
    """Install the project at ``root`` editable into a new venv at ``venv`` (no network)."""
    _venv(venv)
    install = _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--disable-pip-version-check", "--no-deps", "--no-build-isolation", "--no-index", "-e", str(root)])
    assert install.returncode == 0, install.stdout + install.stderr


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    base = tmp_path_factory.mktemp("scaffold")
    root = base / "x"
    out = _run([*KILN_SDK, "new", "hello", "--dir", str(root)])
    assert out.returncode == 0, out.stderr
    venv = base / "venv"
    _install(root, venv)
    assert (venv / "bin" / "kiln-plugin-hello").is_file()
    return Project(root, venv)


def test_new_writes_every_part_of_a_plugin_project(project: Project) -> None:
    files = {str(p.relative_to(project.root)) for p in project.root.rglob("*") if p.is_file()
             and "__pycache__" not in p.parts and ".egg-info" not in str(p)}
    assert {
        "pyproject.toml", "Makefile", "README.md", "example/build.pkr.hcl",
        "kiln_plugin_hello/main.py", "kiln_plugin_hello/builder.py", "kiln_plugin_hello/provisioner.py",
        "kiln_plugin_hello/post_processor.py", "kiln_plugin_hello/datasource.py",
        "tests/test_components.py", "tests/test_plugin.py", "tests/test_acceptance.py",
        "docs/builders/hello-my-builder.md", "docs/provisioners/hello-my-provisioner.md",
        "docs/post-processors/hello-my-post-processor.md", "docs/datasources/hello-my-datasource.md",
    } <= files
    assert 'kiln-plugin-hello = "kiln_plugin_hello.main:main"' in (project.root / "pyproject.toml").read_text()


def test_the_generated_tests_pass_as_generated(project: Project) -> None:
    out = _run([str(project.python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs"], cwd=project.root,
               env=project.env)
    assert out.returncode == 0, out.stdout + out.stderr
    last = out.stdout.strip().splitlines()[-1]
    assert "11 passed" in last and "skipped" not in last, out.stdout


def test_the_example_builds_with_all_four_components(project: Project, tmp_path: Path) -> None:
    env = dict(project.env, KILN_PLUGIN_PATH=str(project.venv / "bin"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    example = tmp_path / "example"
    example.mkdir()
    (example / "build.pkr.hcl").write_text((project.root / "example" / "build.pkr.hcl").read_text())
    out = _run([str(BIN / "kiln"), "build", "-color=false", "."], cwd=example, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "==> hello-my-builder.example: Hello, world! (written to" in out.stdout  # builder + data source
    assert "    hello-my-builder.example: provisioned by kiln" in out.stdout  # provisioner
    assert "(hello-my-post-processor): Wrote 2 checksum files" in out.stdout  # post-processor
    assert (example / "output" / "greeting.txt").read_text() == "Hello, world!\n"
    assert (example / "output" / "provisioned.txt.sha256").is_file()


def test_docs_writes_the_reference_and_checks_it(project: Project, tmp_path: Path) -> None:
    out_dir = tmp_path / "ref"
    out = _run([*KILN_SDK, "docs", str(project.root), "--out", str(out_dir)])
    assert out.returncode == 0, out.stderr
    builder = (out_dir / "builders" / "hello-my-builder.md").read_text()
    assert builder.startswith("# Builder `hello-my-builder`")
    assert "| `output_directory` | `string` |  | The directory to create (it must not exist yet). |" in builder
    assert "| `greeting` | `string` | `\"Hello!\"` |" in builder
    assert "## Output" in (out_dir / "datasources" / "hello-my-datasource.md").read_text()
    assert _run([*KILN_SDK, "docs", str(project.root), "--out", str(out_dir), "--check"]).returncode == 0
    (out_dir / "builders" / "hello-my-builder.md").write_text("stale")
    stale = _run([*KILN_SDK, "docs", str(project.root), "--out", str(out_dir), "--check"])
    assert stale.returncode == 1 and "hello-my-builder.md is missing or stale" in stale.stderr


def test_new_refuses_a_bad_name_and_a_used_directory(tmp_path: Path, project: Project) -> None:
    bad = _run([*KILN_SDK, "new", "Hello_World", "--dir", str(tmp_path / "y")])
    assert bad.returncode == 1 and "is not a plugin name" in bad.stderr and "Traceback" not in bad.stderr
    used = _run([*KILN_SDK, "new", "hello", "--dir", str(project.root)])
    assert used.returncode == 1 and "is not empty" in used.stderr


def test_docs_outside_a_plugin_project_is_a_clear_error(tmp_path: Path) -> None:
    out = _run([*KILN_SDK, "docs", str(tmp_path)])
    assert out.returncode == 1 and "run kiln-sdk docs in a plugin project" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_typo_in_the_entry_point_fails_validate_with_a_clear_error(tmp_path: Path, project: Project) -> None:
    root = tmp_path / "typo"
    assert _run([*KILN_SDK, "new", "hello", "--dir", str(root)]).returncode == 0
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"kiln_plugin_hello.main:main"', '"kiln_plugin_hello.mian:main"'))
    venv = tmp_path / "venv"
    _install(root, venv)
    env = dict(project.env, PATH=f"{venv / 'bin'}{os.pathsep}{BIN}{os.pathsep}{os.environ['PATH']}",
               KILN_PLUGIN_PATH=str(venv / "bin"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    out = _run([str(BIN / "kiln"), "validate", "build.pkr.hcl"], cwd=root / "example", env=env)
    assert out.returncode == 1, out.stdout + out.stderr
    text = " ".join((out.stdout + out.stderr).split())
    assert 'Error: Unknown data source type "hello-my-datasource"' in text
    assert "on build.pkr.hcl line 2" in text
    assert ("plugin kiln-plugin-hello failed to describe itself (exit 1): ModuleNotFoundError: No module named "
            "'kiln_plugin_hello.mian'") in text
    assert "check the entry point of its kiln-plugin-* script in its pyproject.toml" in text
    assert "Traceback" not in text


TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "plugin-tutorial.md"


def tutorial_commands() -> list[str]:
    """The commands of the tutorial's first shell block (its ``$ `` lines)."""
    text = TUTORIAL.read_text()
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line[2:] for line in block.splitlines() if line.startswith("$ ")]


def test_the_tutorials_commands_work(tmp_path: Path, project: Project) -> None:
    commands = tutorial_commands()
    assert commands[0] == "kiln-sdk new hello --dir hello" and len(commands) == 7, commands
    venv = tmp_path / "venv"
    _venv(venv)
    # The tests have no network: `pip` installs offline into the tutorial's venv (the reader's pip is real).
    prelude = (f'pip() {{ {sys.executable} -m pip --python "{venv}/bin/python" "$1" -q --disable-pip-version-check '
               '--no-deps --no-build-isolation --no-index "${@:2}"; }\n')
    script = prelude + "set -ex\n" + "\n".join(commands) + "\n"
    env = dict(project.env, PATH=f"{venv / 'bin'}{os.pathsep}{BIN}{os.pathsep}{os.environ['PATH']}",
               XDG_CACHE_HOME=str(tmp_path / "cache"), HOME=str(tmp_path))
    out = _run(["bash", "-c", script], cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "passed" in out.stdout and "failed" not in out.stdout
    assert "==> hello-my-builder.example: Hello, world! (written to" in out.stdout
    assert "(hello-my-post-processor): Wrote 2 checksum files" in out.stdout
    assert (tmp_path / "hello" / "example" / "output" / "provisioned.txt").read_text() == "provisioned by kiln\n"
    assert (tmp_path / "hello" / "docs" / "provisioners" / "hello-my-provisioner.md").is_file()
