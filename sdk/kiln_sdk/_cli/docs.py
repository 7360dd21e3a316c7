"""``kiln-sdk docs [DIR]``: write each component's Markdown reference from its config dataclass.

Like packer-sdc's docs: the plugin project in DIR (default ``.``) names its executable in its
pyproject (``[project.scripts] kiln-plugin-NAME = "module:main"``); the plugin describes its
components (``describe`` carries each description and config schema, derived from the dataclasses),
and this writes ``DIR/docs/builders/NAME-COMPONENT.md`` and likewise for provisioners,
post-processors and data sources. ``--check`` writes nothing and fails when a file is missing or stale.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

SUMMARY = "Write each component's Markdown reference (docs/) from its config dataclass"
PREFIX = "kiln-plugin-"
DEFAULT_NAME = "-packer-default-plugin-name-"
KINDS = [("builders", "builder", "Builder"), ("provisioners", "provisioner", "Provisioner"),
         ("post_processors", "post-processor", "Post-processor"), ("datasources", "data source", "Data source")]
DIRS = {"builders": "builders", "provisioners": "provisioners", "post_processors": "post-processors",
        "datasources": "datasources"}


class DocsError(Exception):
    """The project cannot be documented (no pyproject, no plugin script, the plugin fails to describe)."""


def plugin_script(project: Path) -> tuple[str, str]:
    """(plugin name, ``module:function``) of the project's ``kiln-plugin-NAME`` script."""
    pyproject = project / "pyproject.toml"
    try:
        data = tomllib.loads(pyproject.read_text())
    except OSError as exc:
        raise DocsError(f"{pyproject}: {exc.strerror or exc}: run kiln-sdk docs in a plugin project") from None
    except tomllib.TOMLDecodeError as exc:
        raise DocsError(f"{pyproject}: {exc}") from None
    scripts = data.get("project", {}).get("scripts", {})
    found = [(k[len(PREFIX):], v) for k, v in scripts.items() if k.startswith(PREFIX)]
    if len(found) != 1:
        raise DocsError(f"{pyproject}: [project.scripts] must name exactly one {PREFIX}NAME script "
                        f"(found {len(found)})")
    return found[0]


def describe(project: Path, entry: str) -> dict[str, Any]:
    """Run the plugin's ``describe`` from the project's source and return its JSON."""
    module, _, func = entry.partition(":")
    code = (f"import sys; sys.path.insert(0, {str(project)!r}); sys.argv = ['plugin', 'describe']; "
            f"from {module} import {func}; {func}()")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise DocsError(f"the plugin ({entry}) failed to describe itself:\n{out.stderr.strip()[-2000:]}")
    try:
        return json.loads(out.stdout)  # type: ignore[no-any-return]
    except ValueError:
        raise DocsError(f"the plugin ({entry}) printed no JSON description: {out.stdout[:200]!r}") from None


def template_name(plugin: str, component: str) -> str:
    """The component's name in templates, as Packer names an installed plugin's components."""
    return plugin if component == DEFAULT_NAME else f"{plugin}-{component}"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _settings(schema: dict[str, Any], prefix: str = "") -> list[str]:
    lines: list[str] = []
    attributes = schema.get("attributes", [])
    for title, required in (("Required", True), ("Optional", False)):
        rows = [a for a in attributes if bool(a.get("required")) is required]
        if not rows:
            continue
        lines += ["", f"{prefix}#### {title}", "", "| setting | type | default | description |",
                  "| --- | --- | --- | --- |"]
        for a in rows:
            default = "" if required or not a.get("has_default") else f"`{json.dumps(a.get('default'))}`"
            doc = a.get("description", "") + (" (sensitive: never shown)" if a.get("sensitive") else "")
            lines.append(f"| `{a['name']}` | `{a['type']}` | {default} | {_cell(doc)} |")
    for block in schema.get("blocks", []):
        many = " (repeatable)" if block.get("nesting") == "list" else ""
        need = " (required)" if block.get("required") else ""
        lines += ["", f"{prefix}#### Block `{block['type_name']}`{many}{need}", ""]
        if block.get("description"):
            lines.append(block["description"])
        lines += _settings(block.get("schema", {}), prefix)
    return lines


def render_component(plugin: str, key: str, name: str, entry: dict[str, Any]) -> str:
    """The Markdown reference of one component."""
    label = next(title for k, _, title in KINDS if k == key)
    full = template_name(plugin, name)
    lines = [f"# {label} `{full}`", "", f"Provided by the plugin `{PREFIX}{plugin}`.", ""]
    if "error" in entry:
        raise DocsError(f"{label.lower()} {name}: could not be loaded: {entry['error']}")
    if entry.get("description"):
        lines += [entry["description"], ""]
    config = entry.get("config") or {}
    if config.get("description") and config["description"] != entry.get("description"):
        lines += [config["description"], ""]
    lines.append("## Configuration reference")
    settings = _settings(config)
    lines += settings if settings else ["", "This component has no settings."]
    if "output" in entry:
        lines += ["", "## Output", "", f"Read as `data.{full}.NAME.SETTING`."]
        lines += [line.replace("#### Optional", "#### Values").replace("#### Required", "#### Values")
                  for line in _settings(entry["output"] or {})]
    lines += ["", "## Example", "", "```hcl"]
    example_settings = [f'  {a["name"]} = {json.dumps(a.get("default") if a.get("has_default") else "...")}'
                        for a in config.get("attributes", []) if a.get("required")]
    if key == "builders":
        lines += [f'source "{full}" "example" {{', *example_settings, "}"]
    elif key == "datasources":
        lines += [f'data "{full}" "example" {{', *example_settings, "}"]
    else:
        word = "provisioner" if key == "provisioners" else "post-processor"
        lines += ["build {", "  # ...", f'  {word} "{full}" {{',
                  *("  " + s for s in example_settings), "  }", "}"]
    lines += ["```", ""]
    return "\n".join(lines)


def documents(project: Path) -> dict[str, str]:
    """Relative path (below docs/) -> Markdown, for every component of the project's plugin."""
    plugin, entry = plugin_script(project)
    description = describe(project, entry)
    components = description.get("components")
    if not isinstance(components, dict):
        raise DocsError("the plugin's describe carries no component schemas: its kiln-sdk is too old")
    out: dict[str, str] = {}
    for key, _, _ in KINDS:
        for name, info in sorted(components.get(key, {}).items()):
            out[f"{DIRS[key]}/{template_name(plugin, name)}.md"] = render_component(plugin, key, name, info)
    return out


def run(argv: list[str]) -> int:
    """The subcommand: write (or with --check, compare) the reference of every component."""
    parser = argparse.ArgumentParser(prog="kiln-sdk docs", description=SUMMARY)
    parser.add_argument("dir", nargs="?", type=Path, default=Path("."), help="the plugin project (default .)")
    parser.add_argument("--out", type=Path, help="where to write (default DIR/docs)")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if a file is stale")
    args = parser.parse_args(argv)
    project = args.dir.resolve()
    out_dir = args.out or project / "docs"
    try:
        docs = documents(project)
    except DocsError as exc:
        sys.stderr.write(f"kiln-sdk docs: {exc}\n")
        return 1
    stale = [rel for rel, text in docs.items()
             if not (out_dir / rel).is_file() or (out_dir / rel).read_text() != text]
    if args.check:
        for rel in stale:
            sys.stderr.write(f"kiln-sdk docs: {out_dir / rel} is missing or stale: run kiln-sdk docs\n")
        return 1 if stale else 0
    for rel in stale:
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w") as fh:
            fh.write(docs[rel])
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    sys.stdout.write(f"kiln-sdk docs: {len(docs)} component references in {out_dir} ({len(stale)} written)\n")
    return 0
