"""kiln's architecture as an import contract, checked by import-linter (``make lint``, so ``make test``).

    python tools/import_contract.py [--root DIR] [--print-config]

The rules (each an import-linter ``forbidden`` contract):

- the core (``kiln``) never imports a plugin package;
- a plugin package never imports the core;
- the SDK (``kiln_sdk``) imports neither the core nor any plugin;
- a plugin package imports only the top-level ``kiln_sdk``: no direct import of any of its submodules;
- (``WIRE_RULE``) neither the core nor a plugin imports ``kiln_sdk._wire``: the core talks to plugins
  through the SDK's public host API.

The plugin packages are found in the tree (``plugins/kiln_plugins``, ``plugins/NAME/kiln_plugin_NAME``),
so a new plugin distribution is covered without editing anything. The tree checked is ``--root`` (the
repository by default): its ``core``, ``sdk``, ``plugins`` and ``plugins/NAME`` directories come first on
the import path of the import-linter process, so a scratch copy is checked as it is, not the installed one.
"""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The core talks to plugins through kiln_sdk.host: nothing outside the SDK imports kiln_sdk._wire.
WIRE_RULE = True


def plugin_packages(root: Path) -> list[str]:
    """The importable names of every plugin package in the tree, sorted."""
    plugins = root / "plugins"
    names = {p.parent.name for p in plugins.glob("*/__init__.py")}
    names |= {p.parent.name for p in plugins.glob("*/kiln_plugin_*/__init__.py")}
    return sorted(names)


def sdk_public_names(root: Path) -> set[str]:
    """The names in kiln_sdk's ``__all__``, read from its source (the checked tree is never imported)."""
    init = root / "sdk" / "kiln_sdk" / "__init__.py"
    for node in ast.parse(init.read_text(), str(init)).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return {e.value for e in ast.walk(node.value) if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return set()


def sdk_submodules(root: Path) -> list[str]:
    """Every direct submodule and subpackage of kiln_sdk (a plugin imports none of them directly).

    A submodule named like a public name (``kiln_sdk.serve`` and the function ``serve``) is left out:
    import-linter reads ``from kiln_sdk import serve`` as an import of the submodule. The AST check in
    tests/plugins/test_plugin_imports.py tells the two apart.
    """
    sdk = root / "sdk" / "kiln_sdk"
    names = {p.stem for p in sdk.glob("*.py") if p.name != "__init__.py"}
    names |= {p.parent.name for p in sdk.glob("*/__init__.py")}
    return sorted(f"kiln_sdk.{n}" for n in names - sdk_public_names(root))


def import_path(root: Path) -> list[str]:
    """The directories that hold the tree's top-level packages."""
    dirs = [root / "core", root / "sdk", root / "plugins"]
    dirs += sorted(p.parent for p in (root / "plugins").glob("*/pyproject.toml"))
    return [str(d) for d in dirs]


def _contract(key: str, name: str, sources: list[str], forbidden: list[str], direct_only: bool = False) -> str:
    lines = [
        f"[importlinter:contract:{key}]",
        f"name = {name}",
        "type = forbidden",
        "source_modules =",
        *(f"    {s}" for s in sources),
        "forbidden_modules =",
        *(f"    {f}" for f in forbidden),
    ]
    if direct_only:
        lines.append("allow_indirect_imports = True")
    return "\n".join(lines) + "\n"


def config(root: Path) -> str:
    """The import-linter configuration (INI) for the tree at ``root``."""
    plugins = plugin_packages(root)
    if not plugins:
        raise SystemExit(f"import contract: no plugin package under {root / 'plugins'}")
    parts = [
        "[importlinter]\nroot_packages =\n    kiln\n    kiln_sdk\n" + "".join(f"    {p}\n" for p in plugins),
        _contract("core-plugins", "the core never imports a plugin", ["kiln"], plugins),
        _contract("plugins-core", "a plugin never imports the core", plugins, ["kiln"]),
        _contract("sdk-alone", "the SDK imports neither the core nor a plugin", ["kiln_sdk"], ["kiln", *plugins]),
        _contract("plugins-top-level-sdk", "a plugin imports only the top-level kiln_sdk", plugins,
                  sdk_submodules(root), direct_only=True),
    ]
    if WIRE_RULE:
        parts.append(_contract("no-wire", "only the SDK imports kiln_sdk._wire", ["kiln", *plugins],
                               ["kiln_sdk._wire"], direct_only=True))
    return "\n".join(parts)


def check(root: Path) -> int:
    """Run import-linter over the tree at ``root``; its exit status (0: every contract is kept)."""
    with tempfile.TemporaryDirectory(prefix="kiln-import-contract-") as tmp:
        path = Path(tmp) / "importlinter.ini"
        path.write_text(config(root))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(import_path(root) + [env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        lint_imports = Path(sys.executable).with_name("lint-imports")
        command = [str(lint_imports)] if lint_imports.exists() else [sys.executable, "-m", "importlinter.cli"]
        # grimp keeps a cache beside the working directory: run in the scratch directory, not the tree
        return subprocess.call([*command, "--no-cache", "--no-logo", str(path)], cwd=tmp, env=env)


def main(argv: list[str] | None = None) -> int:
    """The command line: check the tree (or print the generated configuration)."""
    parser = argparse.ArgumentParser(prog="import_contract", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository tree to check")
    parser.add_argument("--print-config", action="store_true", help="print the import-linter configuration")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.print_config:
        sys.stdout.write(config(root))
        return 0
    return check(root)


if __name__ == "__main__":
    sys.exit(main())
