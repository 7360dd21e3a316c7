"""Dependency order for locals and data sources, with cycle detection."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def dependency_order(deps: Mapping[K, Sequence[K]]) -> tuple[list[K], list[list[K]]]:
    """Order ``deps``' keys so each comes after what it depends on (keys outside ``deps`` are
    ignored). Ties keep the mapping's order. Returns ``(order, cycles)``: nodes on a cycle are left out
    of ``order`` (as is anything depending on them), and each cycle is listed once, in path order."""
    order: list[K] = []
    state: dict[K, int] = {}  # 1 = on the current path, 2 = done, 3 = blocked by a cycle
    cycles: list[list[K]] = []
    seen_cycles: set[frozenset[K]] = set()

    def visit(node: K, path: list[K]) -> bool:
        st = state.get(node)
        if st == 2:
            return True
        if st == 3:
            return False
        if st == 1:
            cycle = path[path.index(node):]
            key = frozenset(cycle)
            if key not in seen_cycles:
                seen_cycles.add(key)
                cycles.append(cycle)
            return False
        state[node] = 1
        path.append(node)
        ok = True
        for dep in deps[node]:
            if dep in deps and not visit(dep, path):
                ok = False
        path.pop()
        state[node] = 2 if ok else 3
        if ok:
            order.append(node)
        return ok

    for node in deps:
        visit(node, [])
    return order, cycles
