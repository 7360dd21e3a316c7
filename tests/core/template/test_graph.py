from __future__ import annotations

from kiln.template.graph import dependency_order


def test_order_follows_dependencies_and_keeps_ties() -> None:
    order, cycles = dependency_order({"a": ["c"], "b": [], "c": ["b", "outside"]})
    assert order == ["b", "c", "a"]
    assert cycles == []


def test_cycles_are_reported_once_and_block_dependents() -> None:
    order, cycles = dependency_order({"a": ["b"], "b": ["a"], "c": ["a"], "d": [], "e": ["e"]})
    assert order == ["d"]
    assert cycles == [["a", "b"], ["e"]]
