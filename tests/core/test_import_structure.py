"""The HCL core and the template layer import each module at the top: no import cycles, no
function-level imports dodging them. A function-level import is allowed only as a deliberate lazy
import of a heavy optional module, marked by a comment with the word "lazy"."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"
PACKAGES = ("kiln/hcl", "kiln/template")


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for pkg in PACKAGES:
        for path in sorted((CORE / pkg).rglob("*.py")):
            name = ".".join(path.relative_to(CORE).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = path
    return out


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.Module, known: dict[str, Path]) -> tuple[set[str], list[ast.ImportFrom | ast.Import]]:
    """The kiln modules imported at run time at module level, and every function-level import."""
    top: set[str] = set()
    nested: list[ast.ImportFrom | ast.Import] = []

    def names(node: ast.ImportFrom | ast.Import) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name for a in node.names]
        base = node.module or ""
        return [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                if in_function:
                    nested.append(child)
                else:
                    top.update(n for n in names(child) if n in known)
            visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(tree, False)
    return top, nested


def test_no_function_level_imports_but_lazy_heavy_ones() -> None:
    known = _modules()
    offenders = []
    for path in known.values():
        source = path.read_text()
        lines = source.split("\n")
        _, nested = _imports(ast.parse(source), known)
        for node in nested:
            around = " ".join(lines[max(0, node.lineno - 4) : node.end_lineno or node.lineno])
            is_kiln = any(n.startswith("kiln") for n in _names(node))
            if is_kiln or "lazy" not in around:
                offenders.append(f"{path.relative_to(CORE)}:{node.lineno}: {ast.unparse(node)}")
    assert offenders == []


def _names(node: ast.ImportFrom | ast.Import) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    return [node.module or "." * node.level]


def test_no_import_cycles() -> None:
    known = _modules()
    graph = {name: _imports(ast.parse(path.read_text()), known)[0] - {name} for name, path in known.items()}
    for name in graph:  # importing a.b.c runs a/__init__ and a/b/__init__ first
        for dep in list(graph[name]):
            parts = dep.split(".")
            for i in range(1, len(parts)):
                parent = ".".join(parts[:i])
                if parent in known and parent != name and not name.startswith(parent + "."):
                    graph[name].add(parent)
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep) :] + [dep])
            elif dep not in state:
                walk(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node)
    assert cycles == []


def test_the_hcl_core_does_not_import_the_template_layer() -> None:
    known = _modules()
    for name, path in known.items():
        if name.startswith("kiln.hcl"):
            top, nested = _imports(ast.parse(path.read_text()), known)
            assert not [d for d in top if d.startswith("kiln.template")], name
            assert not [n for node in nested for n in _names(node) if n.startswith("kiln.template")], name
