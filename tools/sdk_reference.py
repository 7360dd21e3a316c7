"""Generate docs/sdk-reference.md, the SDK reference, from the docstrings and signatures of the public API
(``kiln_sdk.__all__`` and ``kiln_sdk.testing.__all__``).

    python tools/sdk_reference.py            # write docs/sdk-reference.md
    python tools/sdk_reference.py --check    # exit 1 when docs/sdk-reference.md is stale (make test runs it)

The output depends only on the source (no addresses, no paths), so it is stable from run to run.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import re
import sys
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "sdk-reference.md"
MODULES = ("kiln_sdk", "kiln_sdk.testing")

HEADER = """# SDK reference

Generated from the docstrings by `tools/sdk_reference.py` (`make docs`); do not edit by hand (a test
fails when this file is stale). A plugin imports only `kiln_sdk` (its tests also `kiln_sdk.testing`).
The plugin-author tutorial is [plugin-tutorial.md](plugin-tutorial.md); the wire protocol is
[protocol.md](protocol.md).
"""


def _doc(obj: Any) -> str:
    return inspect.cleandoc(inspect.getdoc(obj) or "")


def _signature(obj: Any) -> str:
    try:
        sig = str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(...)"
    return re.sub(r" at 0x[0-9a-f]+", "", sig)


def _members(cls: type) -> list[tuple[str, Any]]:
    """The public methods and properties ``cls`` defines itself, in source order."""
    out: list[tuple[str, Any]] = []
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, (staticmethod, classmethod)):
            out.append((name, value.__func__))
        elif isinstance(value, property) or inspect.isfunction(value):
            out.append((name, value))
    return out


def _fields(cls: type) -> list[str]:
    if not dataclasses.is_dataclass(cls):
        return []
    return [f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")]


def _entry(module: str, name: str, obj: Any) -> list[str]:
    lines: list[str] = []
    if inspect.isclass(obj):
        bases = [b.__name__ for b in obj.__bases__ if b is not object and not b.__name__.startswith("_")]
        kind = "enum" if any(b.__name__ == "Enum" for b in obj.__mro__[1:]) else "class"
        lines.append(f"### {kind} `{name}`" + (f" ({', '.join(f'`{b}`' for b in bases)})" if bases else ""))
        lines.append("")
        if kind == "class":
            lines += ["```python", f"{name}{_signature(obj)}", "```", ""]
        lines += [_doc(obj), ""]
        fields = _fields(obj)
        if fields:
            lines += ["Fields: " + ", ".join(f"`{f}`" for f in fields) + ".", ""]
        if kind == "enum":
            lines += ["Members: " + ", ".join(f"`{m.name}`" for m in list(getattr(obj, "__members__", {}).values())) + ".", ""]
        for member, value in _members(obj):
            if isinstance(value, property):
                lines.append(f"- `{member}` (property): " + " ".join(_doc(value).split()))
            else:
                doc = _doc(getattr(obj, member))
                lines.append(f"- `{member}{_signature(value)}`: " + " ".join(doc.split()))
        if _members(obj):
            lines.append("")
    elif inspect.isfunction(obj):
        lines += [f"### function `{name}`", "", "```python", f"{name}{_signature(obj)}", "```", "",
                  _doc(obj), ""]
    else:
        shown = obj.name if hasattr(obj, "name") and type(obj).__name__ == "StateKey" else obj
        lines += [f"### `{name}`", "", f"`{name} = {shown!r}` ({type(obj).__name__})", ""]
    return lines


def generate() -> str:
    import importlib

    lines = [HEADER]
    for module_name in MODULES:
        module: types.ModuleType = importlib.import_module(module_name)
        lines += [f"## `{module_name}`", "", _doc(module), ""]
        for name in sorted(module.__all__):
            lines += _entry(module_name, name, getattr(module, name))
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"


def missing_docstrings() -> list[str]:
    """Every public class, function, method and property of the SDK that has no docstring."""
    import importlib

    missing = []
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                own = obj.__doc__ if inspect.isfunction(obj) else vars(obj).get("__doc__")
                if not own or own.startswith(f"{obj.__name__}("):  # a dataclass's generated docstring
                    missing.append(f"{module_name}.{name}")
            if inspect.isclass(obj):
                missing += [f"{module_name}.{name}.{m}" for m, v in _members(obj)
                            if not _doc(v if isinstance(v, property) else getattr(obj, m))]
    return sorted(set(missing))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail when the committed reference is stale")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        if not OUT.is_file() or OUT.read_text() != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run 'make docs' and commit it", file=sys.stderr)
            return 1
        return 0
    tmp = OUT.with_name(f".{OUT.name}.tmp")
    tmp.write_text(text)
    tmp.replace(OUT)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
