"""End to end, the real ``kiln`` CLI: templates' ``required_plugins`` checked by validate and build, the
lock file honoured, and ``kiln plugins installed|required|remove`` on a plugin dir holding real installs
(a plugin scaffolded by ``kiln-sdk new``, built into a wheel and pip-installed into a venv of its own per
version, in the layout of docs/registry.md; the wheels are built once per module)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.cli import run_kiln

SOURCE = "example.com/example/hello"
HELLO_BUILD = '''
data "hello-my-datasource" "greeting" {
  name = "world"
}

source "hello-my-builder" "example" {
  output_directory = "output"
  greeting         = data.hello-my-datasource.greeting.greeting
}

build {
  sources = ["source.hello-my-builder.example"]

  provisioner "hello-my-provisioner" {
    message     = "provisioned by kiln"
    destination = "output/provisioned.txt"
  }

  post-processor "hello-my-post-processor" {}
}
'''
NULL_BUILD = '''
source "null" "x" {
  communicator = "none"
}

build {
  sources = ["source.null.x"]
  provisioner "shell-local" {
    inline = ["touch ran"]
  }
}
'''


def _run(command: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(command, capture_output=True, text=True, timeout=300, **kw)  # type: ignore[call-overload]
    assert out.returncode == 0, f"{command}: {out.stdout}{out.stderr}"
    return out  # type: ignore[no-any-return]


@dataclass
class Wheel:
    version: str
    path: Path
    sha256: str


def _wheel(base: Path, version: str) -> Wheel:
    root = base / f"hello-{version}"
    _run([sys.executable, "-m", "kiln_sdk._cli.main", "new", "hello", "--dir", str(root)])
    for rel in ("pyproject.toml", "kiln_plugin_hello/__init__.py"):
        p = root / rel
        p.write_text(p.read_text().replace('"0.1.0"', f'"{version}"'))
    builder = root / "kiln_plugin_hello" / "builder.py"  # each version says which it is in greeting.txt
    text = builder.read_text().replace('fh.write(self.config.greeting + "\\n")',
                                       f'fh.write(self.config.greeting + " from {version}\\n")')
    assert f"from {version}" in text
    builder.write_text(text)
    out = base / f"wheels-{version}"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check", "--no-deps",
          "--no-build-isolation", "--no-index", "-w", str(out), str(root)])
    (wheel,) = out.glob("*.whl")
    return Wheel(version, wheel, hashlib.sha256(wheel.read_bytes()).hexdigest())


def install(plugin_dir: Path, wheel: Wheel) -> Path:
    """What the installer leaves: <dir>/<host>/<ns>/<name>/<version>/{venv/, kiln-install.json}, built in a
    hidden folder and renamed into place (so the venv's scripts' #! lines name a folder that is gone: kiln
    must run them with the venv's python). The venv sees this venv's packages (kiln_sdk, grpc) through a
    .pth file, so no package index is needed."""
    folder = plugin_dir.joinpath(*SOURCE.split("/"), wheel.version)
    tmp = folder.with_name(f".{wheel.version}.tmp")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    purelib = _run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
                   ).stdout.strip()
    Path(purelib, "kiln-parent.pth").write_text(f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
    _run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
          "--disable-pip-version-check", "--no-deps", "--no-index", str(wheel.path)])
    meta = {"source": SOURCE, "version": wheel.version, "archive_sha256": wheel.sha256,
            "hashes": [f"sha256:{wheel.sha256}"], "executable": "venv/bin/kiln-plugin-hello"}
    (tmp / "kiln-install.json").write_text(json.dumps(meta))
    assert str(tmp) in (venv / "bin" / "kiln-plugin-hello").read_text().splitlines()[0]
    tmp.rename(folder)
    return folder / "venv" / "bin" / "kiln-plugin-hello"


@dataclass
class Plugins:
    dir: Path
    wheels: dict[str, Wheel]
    executables: dict[str, Path]

    def env(self) -> dict[str, str]:
        return {"KILN_PLUGIN_PATH": str(self.dir)}


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Wheel]:
    base = tmp_path_factory.mktemp("wheels")
    return {v: _wheel(base, v) for v in ("0.1.0", "0.2.0")}


@pytest.fixture(scope="module")
def plugins(tmp_path_factory: pytest.TempPathFactory, wheels: dict[str, Wheel]) -> Plugins:
    root = tmp_path_factory.mktemp("plugins")
    return Plugins(root, wheels, {v: install(root, w) for v, w in wheels.items()})


def _template(folder: Path, requirements: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "build.pkr.hcl").write_text(f"packer {{\n  required_plugins {{\n{requirements}  }}\n}}\n{body}")
    return folder


def _hello(constraint: str) -> str:
    return f'    hello = {{\n      source  = "{SOURCE}"\n      version = "{constraint}"\n    }}\n'


def test_bundled_amazon_satisfies_a_requirement_without_download(tmp_path: Path) -> None:
    tpl = _template(tmp_path / "t", '    amazon = {\n      source  = "github.com/hashicorp/amazon"\n'
                    '      version = "~> 1"\n    }\n', NULL_BUILD)
    env = {"KILN_PLUGIN_PATH": str(tmp_path / "empty")}
    out = run_kiln(["validate", "."], tpl, env)
    assert (out.code, out.out) == (0, ""), out.out + out.err  # Packer 1.6.6 prints nothing for a valid HCL2 template
    out = run_kiln(["plugins", "required", "."], tpl, env)
    assert (out.code, out.out) == (0, 'amazon github.com/hashicorp/amazon "~> 1" bundled\n')
    assert not (tmp_path / "empty").exists()  # nothing was installed


def test_a_missing_plugin_stops_validate_and_build_before_any_plugin_runs(tmp_path: Path) -> None:
    tpl = _template(tmp_path / "t", _hello(">= 0.1") + '    docker = {\n      source  = "github.com/hashicorp/docker"\n'
                    '      version = ">= 2.0"\n    }\n', NULL_BUILD)
    env = {"KILN_PLUGIN_PATH": str(tmp_path / "empty")}
    for verb in ("validate", "build"):
        out = run_kiln([verb, "."], tpl, env)
        assert out.code == 1
        assert out.out == ("Error: Missing plugins\n\nThe following plugins are required, but not installed:\n\n"
                           "* github.com/hashicorp/docker >= 2.0\n* example.com/example/hello >= 0.1\n\n"
                           "Did you run kiln init for this project ?\n\n"), out.out
    assert not (tpl / "ran").exists()


def test_installed_lists_every_install(plugins: Plugins, tmp_path: Path) -> None:
    out = run_kiln(["plugins", "installed"], tmp_path, plugins.env())
    assert (out.code, out.out) == (0, f"{plugins.executables['0.1.0']}\n{plugins.executables['0.2.0']}\n")


def test_required_lists_matching_installs_newest_first(plugins: Plugins, tmp_path: Path) -> None:
    tpl = _template(tmp_path / "t", _hello(">= 0.1"), HELLO_BUILD)
    out = run_kiln(["plugins", "required", "."], tpl, plugins.env())
    assert (out.code, out.out) == (0, f'hello {SOURCE} ">= 0.1" {plugins.executables["0.2.0"]} '
                                      f'{plugins.executables["0.1.0"]}\n')
    tpl = _template(tmp_path / "u", _hello("< 0.2"), HELLO_BUILD)
    out = run_kiln(["plugins", "required", str(tpl / "build.pkr.hcl")], tmp_path, plugins.env())
    assert out.out == f'hello {SOURCE} "< 0.2" {plugins.executables["0.1.0"]}\n'


def test_required_without_requirements_and_with_a_bad_template(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a.pkr.hcl").write_text(NULL_BUILD)
    out = run_kiln(["plugins", "required", "t"], tmp_path)
    assert (out.code, out.out) == (0, "\nNo plugins requirement found, make sure you reference a kiln config\n"
                                      "containing a packer.required_plugins block. See\n"
                                      "https://www.packer.io/docs/templates/hcl_templates/blocks/packer\n"
                                      "for more info.\n")
    _template(tmp_path / "bad", '    hello = ">= 1"\n', NULL_BUILD)
    out = run_kiln(["plugins", "required", "bad"], tmp_path)
    assert out.code == 1 and "Error: Invalid plugin requirement" in out.out and "build.pkr.hcl line 3" in out.out
    out = run_kiln(["plugins", "required"], tmp_path)
    assert out.code == 1 and out.out.startswith("Usage: kiln plugins required <path>")


def test_build_runs_the_version_the_constraints_select(plugins: Plugins, tmp_path: Path) -> None:
    tpl = _template(tmp_path / "t", _hello("< 0.2"), HELLO_BUILD)
    out = run_kiln(["build", "."], tpl, plugins.env())
    assert out.code == 0, out.out + out.err
    assert (tpl / "output" / "provisioned.txt").read_text().strip() == "provisioned by kiln"
    assert (tpl / "output" / "greeting.txt").read_text().endswith(" from 0.1.0\n")
    tpl = _template(tmp_path / "u", _hello(">= 0.1"), HELLO_BUILD)
    out = run_kiln(["build", "."], tpl, plugins.env())
    assert out.code == 0 and (tpl / "output" / "greeting.txt").read_text().endswith(" from 0.2.0\n"), out.out


def _lock(tpl: Path, version: str, hashes: list[str]) -> None:
    lines = "".join(f'    "{h}",\n' for h in hashes)
    (tpl / ".kiln.lock.hcl").write_text(f'plugin "{SOURCE}" {{\n  version     = "{version}"\n'
                                        f'  constraints = ">= 0.1"\n  hashes = [\n{lines}  ]\n}}\n')


def test_the_lock_file_is_honoured(plugins: Plugins, tmp_path: Path) -> None:
    tpl = _template(tmp_path / "t", _hello(">= 0.1"), HELLO_BUILD)
    _lock(tpl, "0.1.0", [f"sha256:{plugins.wheels['0.1.0'].sha256}"])
    out = run_kiln(["validate", "."], tpl, plugins.env())
    assert (out.code, out.out) == (0, ""), out.out
    out = run_kiln(["build", "."], tpl, plugins.env())  # the locked version runs, though 0.2.0 is newer
    assert out.code == 0 and (tpl / "output" / "greeting.txt").read_text().endswith(" from 0.1.0\n"), out.out
    shutil.rmtree(tpl / "output")
    _lock(tpl, "0.1.0", ["sha256:" + "0" * 64])
    for verb in ("validate", "build"):
        out = run_kiln([verb, "."], tpl, plugins.env())
        assert out.code == 1
        words = " ".join(out.out.split())  # the detail is word-wrapped
        assert "Error: Installed plugin does not match the lock file" in words
        assert f"kiln plugins remove {SOURCE} 0.1.0" in words
    assert not (tpl / "output").exists()
    _lock(tpl, "0.3.0", ["sha256:" + "0" * 64])
    out = run_kiln(["validate", "."], tpl, plugins.env())
    assert out.code == 1 and f"* {SOURCE} >= 0.1 (version 0.3.0, locked in" in " ".join(out.out.split())
    (tpl / ".kiln.lock.hcl").write_text('plugin "example.com/example/hello" {\n  version = 1\n}\n')
    out = run_kiln(["validate", "."], tpl, plugins.env())
    assert out.code == 1 and "Error: Invalid lock file value" in out.out and ".kiln.lock.hcl line 2" in out.out


def test_remove(wheels: dict[str, Wheel], tmp_path: Path) -> None:
    plugin_dir = tmp_path / "plugins"
    exes = {v: install(plugin_dir, w) for v, w in wheels.items()}
    env = {"KILN_PLUGIN_PATH": str(plugin_dir)}
    out = run_kiln(["plugins", "remove", SOURCE, ">= 1"], tmp_path, env)
    assert (out.code, out.out) == (1, f"No installed plugin found matching the plugin constraints {SOURCE} >= 1\n")
    out = run_kiln(["plugins", "remove", "hello"], tmp_path, env)
    assert out.code == 1 and out.out.startswith('Invalid source string "hello": Invalid plugin source string;')
    out = run_kiln(["plugins", "remove", SOURCE, ">= x"], tmp_path, env)
    assert (out.code, out.out) == (1, "Malformed constraint: >= x\n")
    out = run_kiln(["plugins", "remove", SOURCE, "< 0.2"], tmp_path, env)
    assert (out.code, out.out) == (0, f"{exes['0.1.0']}\n")
    assert not exes["0.1.0"].parents[2].exists()
    assert [p.name for p in exes["0.1.0"].parents[3].iterdir()] == ["0.2.0"]  # nothing left behind
    outside = tmp_path / "kiln-plugin-x"
    outside.write_text("")
    out = run_kiln(["plugins", "remove", str(outside)], tmp_path, env)
    assert out.code == 1 and "Error: Invalid plugin location" in out.out and outside.exists()
    out = run_kiln(["plugins", "remove", str(exes["0.2.0"]), "1.0"], tmp_path, env)
    assert out.code == 1 and out.out.startswith("Unsupported: no version constraint may be specified")
    out = run_kiln(["plugins", "remove", str(exes["0.2.0"])], tmp_path, env)
    assert (out.code, out.out) == (0, f"{exes['0.2.0']}\n")
    out = run_kiln(["plugins", "installed"], tmp_path, env)
    assert (out.code, out.out) == (0, "")


def test_plugins_help_lists_the_subcommands(tmp_path: Path) -> None:
    out = run_kiln(["plugins"], tmp_path)
    assert out.code == 1
    assert "Subcommands:\n    install " in out.out and "    installed " in out.out and "    mirror " in out.out
    assert "    remove " in out.out and "    required " in out.out
    out = run_kiln(["plugins", "remove", "-h"], tmp_path)
    assert (out.code, out.out.splitlines()[0]) == (0, "Usage: kiln plugins remove <plugin> [<version constraint>]")
