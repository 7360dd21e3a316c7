"""Packer's duration wording (hako/durafmt, first two units)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from kiln.ui import format_duration

from tests.core.ui.packer_ui_oracle import run_packer


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0.018066, "18 milliseconds 66 microseconds"),
        (0.000017, "17 microseconds"),
        (0.001, "1 millisecond"),
        (0.0010011, "1 millisecond 1 microsecond"),
        (1.5, "1 second 500 milliseconds"),
        (2.0, "2 seconds"),
        (61.0009, "1 minute 1 second"),
        (3661.5, "1 hour 1 minute"),
        (7200.0, "2 hours"),
        (86400 * 8 + 5, "1 week 1 day"),
        (86400 * 400, "1 year 5 weeks"),
        (0.0, "0 seconds"),
        (0.0000004, ""),
        (-1.5, "-1 second 500 milliseconds"),
    ],
)
def test_format_duration(seconds: float, expected: str) -> None:
    assert format_duration(seconds) == expected


def test_no_limit_keeps_every_unit() -> None:
    assert format_duration(3661.002003, limit=0) == "1 hour 1 minute 1 second 2 milliseconds 3 microseconds"


def test_seconds_wording_matches_a_real_packer_build(tmp_path: Path) -> None:
    template = """
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["sleep 1.05"]
  }
}
"""
    out = run_packer(tmp_path, template, "-color=false")
    match = re.search(r"Build 'null.a' finished after (.+)\.\n", out)
    assert match, out
    words = match[1].split()
    seconds = sum(
        int(n) * UNIT_SECONDS[unit.rstrip("s")] for n, unit in zip(words[::2], words[1::2], strict=True)
    )
    assert seconds >= 1.0
    # Packer truncates; half a microsecond more keeps every shown unit and adds none.
    assert format_duration(seconds + 5e-7) == match[1]


UNIT_SECONDS = {"minute": 60.0, "second": 1.0, "millisecond": 1e-3, "microsecond": 1e-6}
