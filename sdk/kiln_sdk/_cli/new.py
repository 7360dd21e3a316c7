"""``kiln-sdk new NAME --dir DIR``: write a working plugin project for the plugin NAME.

The project (files from ``kiln_sdk/_cli/scaffold/``, with ``{{name}}``, ``{{package}}`` and
``{{sdk_version}}`` filled in): a pyproject with the ``kiln-plugin-NAME`` script, one builder, one
provisioner, one post-processor and one data source, their tests (an acceptance test too), docs, a
Makefile and an example template. Its tests pass as generated.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from importlib import metadata
from pathlib import Path

SUMMARY = "Write a new plugin project (builder, provisioner, post-processor, data source, tests, docs)"
SCAFFOLD = Path(__file__).with_name("scaffold")
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def sdk_version() -> str:
    """The installed kiln-sdk's version (the generated project requires at least it)."""
    try:
        return metadata.version("kiln-sdk")
    except metadata.PackageNotFoundError:
        return "0.1.0"


def render(text: str, name: str) -> str:
    """Fill the scaffold's placeholders."""
    return (text.replace("{{name}}", name).replace("{{package}}", "kiln_plugin_" + name.replace("-", "_"))
            .replace("{{sdk_version}}", sdk_version()))


def files(name: str) -> dict[str, str]:
    """Relative path -> content of every file of the new project."""
    out: dict[str, str] = {}
    for path in sorted(SCAFFOLD.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            rel = render(str(path.relative_to(SCAFFOLD)), name).removesuffix(".tmpl")
            out[rel] = render(path.read_text(), name)
    return out


def write(name: str, directory: Path) -> list[Path]:
    """Write the project for ``name`` into ``directory`` (which must be missing or empty)."""
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory} is not empty: choose a new directory")
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for rel, content in files(name).items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w") as fh:
            fh.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)  # atomic: a file is whole or absent
        written.append(path)
    return written


def run(argv: list[str]) -> int:
    """The subcommand: parse ``NAME --dir DIR``, write the project, say what to do next."""
    parser = argparse.ArgumentParser(prog="kiln-sdk new", description=SUMMARY)
    parser.add_argument("name", help="the plugin's name: lower case, digits and dashes (hello, my-cloud)")
    parser.add_argument("--dir", type=Path, help="where to write the project (default: ./kiln-plugin-NAME)")
    args = parser.parse_args(argv)
    if not NAME.match(args.name):
        sys.stderr.write(f"kiln-sdk new: {args.name!r} is not a plugin name: use lower case letters, digits "
                         "and single dashes, starting with a letter (e.g. hello, my-cloud)\n")
        return 1
    directory = args.dir or Path(f"kiln-plugin-{args.name}")
    try:
        written = write(args.name, directory)
    except (FileExistsError, OSError) as exc:
        sys.stderr.write(f"kiln-sdk new: {exc}\n")
        return 1
    from kiln_sdk._cli import docs

    if docs.run([str(directory)]) != 0:  # the component reference, as `make docs` regenerates it
        return 1
    sys.stdout.write(
        f"Wrote the plugin project kiln-plugin-{args.name} in {directory} ({len(written)} files).\n"
        f"Next: pip install -e {directory} && (cd {directory} && python -m pytest)\n"
        f"Then: cd {directory}/example && KILN_PLUGIN_PATH=$(dirname $(command -v kiln-plugin-{args.name})) "
        "kiln build .\n"
    )
    return 0
