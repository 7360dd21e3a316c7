"""``-timestamp-ui`` writes local time as Go's RFC3339 does: ``Z`` for UTC, ``+05:30`` elsewhere."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kiln.ui.wrappers import rfc3339_now

from tests.core.ui.packer_ui_oracle import run_packer

TEMPLATE = 'source "null" "a" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.a"]\n}\n'
STAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(Z|[+-]\d\d:\d\d): Build 'null.a' finished")


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("tz", ["UTC", "Asia/Kolkata", "America/St_Johns"])
def test_timestamp_zone_suffix_matches_packer(tmp_path: Path, zone: pytest.MonkeyPatch, tz: str) -> None:
    out = run_packer(tmp_path, TEMPLATE, "-timestamp-ui", "-color=false", env={"TZ": tz})
    match = STAMP.search(out)
    assert match, out
    zone.setenv("TZ", tz)
    time.tzset()
    ours = rfc3339_now()
    assert ours.endswith(match[2]), (ours, match[0])
    assert len(ours) == len(match[1] + match[2])
