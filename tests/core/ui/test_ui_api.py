"""The public surface the engine calls: pinned, so a change to it is a deliberate one."""

from __future__ import annotations

import inspect

import kiln.ui
from kiln.ui import CoreUi, make_ui
from kiln_sdk.ui import Ui, UiError


def test_public_names_are_pinned_and_sorted() -> None:
    expected = [
        "BUILD_PALETTE",
        "MASK",
        "ArtifactSummary",
        "AskError",
        "BuildResult",
        "CoreUi",
        "SecretMask",
        "UiColor",
        "format_duration",
        "make_ui",
    ]
    assert kiln.ui.__all__ == expected == sorted(expected, key=lambda n: (not n.isupper(), n))
    assert all(hasattr(kiln.ui, name) for name in expected)


def test_make_ui_takes_keywords_only() -> None:
    params = inspect.signature(make_ui).parameters
    assert list(params) == ["machine_readable", "color", "timestamp", "stdout", "stderr", "sensitive", "tty"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())


def test_core_ui_methods_and_build_uis_are_sdk_uis() -> None:
    for name in (
        "for_build",
        "for_post_processor",
        "build_started",
        "build_finished",
        "build_errored",
        "say",
        "message",
        "error",
        "machine",
        "ask",
        "summary",
        "add_sensitive",
    ):
        assert callable(getattr(CoreUi, name)), name
    ui = make_ui(color=False)
    assert isinstance(ui.for_build("null.a"), Ui)
    assert isinstance(ui.for_post_processor("null.a", "manifest"), Ui)
    assert issubclass(kiln.ui.AskError, UiError)
