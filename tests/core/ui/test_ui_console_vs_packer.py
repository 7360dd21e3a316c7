"""kiln's console output against Packer 1.6.6's, run live on the same null-builder templates."""

from __future__ import annotations

import io
import re
from pathlib import Path

from kiln.ui import BuildResult, make_ui

from tests.core.ui.packer_ui_oracle import (
    SCRIPT,
    Event,
    Replay,
    normalise,
    ok_result,
    run_packer,
    run_packer_terminated,
)

OK_TEMPLATE = """
source "null" "alpha" {
  communicator = "none"
}
source "null" "beta" {
  communicator = "none"
}
build {
  sources = ["source.null.alpha", "source.null.beta"]
  provisioner "shell-local" {
    inline = ["echo 'hello, world'", "echo 'trailing   '", "echo", "echo 'a\\tb'"]
  }
  post-processor "manifest" {
    output = "manifest.json"
  }
}
"""


def _ok_replay() -> Replay:
    events: list[Event] = []
    for name in ("null.alpha", "null.beta"):
        events += [
            ("say", name, f"Running local shell script: {SCRIPT}"),
            ("message", name, "hello, world"),
            ("message", name, "trailing   "),
            ("message", name, ""),
            ("message", name, "a\tb"),
            ("say", name, "Running post-processor:  (type manifest)"),
            ("finished", name),
        ]
    return Replay(
        ["null.alpha", "null.beta"], events, [ok_result("null.alpha", 2), ok_result("null.beta", 2)]
    )


def _sort_arrow_lines(text: str) -> str:
    """Packer lists the summary in Go map order (random): sort each run of ``--> `` lines."""
    out: list[str] = []
    run: list[str] = []
    for line in text.split("\n"):
        if line.startswith("--> "):
            run.append(line)
            continue
        out += sorted(run) + [line]
        run = []
    return "\n".join(out + sorted(run))


def test_colour_output_matches_packer(tmp_path: Path) -> None:
    packer = run_packer(tmp_path, OK_TEMPLATE, "-parallel-builds=1")
    kiln = _ok_replay().run()
    assert "\033[1;32m==> null.alpha:" in kiln
    assert _sort_arrow_lines(normalise(kiln)) == _sort_arrow_lines(normalise(packer))


def test_no_colour_output_matches_packer(tmp_path: Path) -> None:
    packer = run_packer(tmp_path, OK_TEMPLATE, "-parallel-builds=1", "-color=false")
    kiln = _ok_replay().run(color=False)
    assert "\033" not in kiln
    assert _sort_arrow_lines(normalise(kiln)) == _sort_arrow_lines(normalise(packer))


def test_timestamp_ui_matches_packer(tmp_path: Path) -> None:
    packer = run_packer(tmp_path, OK_TEMPLATE, "-parallel-builds=1", "-timestamp-ui")
    kiln = _ok_replay().run(timestamp=True)
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d): ==> null.alpha: ", kiln)
    assert _sort_arrow_lines(normalise(kiln)) == _sort_arrow_lines(normalise(packer))


FAIL_TEMPLATE = """
variable "secret" {
  type      = string
  default   = "hunter2"
  sensitive = true
}
source "null" "alpha" {
  communicator = "none"
}
source "null" "beta" {
  communicator = "none"
}
build {
  sources = ["source.null.alpha", "source.null.beta"]
  provisioner "shell-local" {
    inline = ["echo 'the secret is ${var.secret}'"]
  }
  provisioner "shell-local" {
    inline = ["echo 'to stderr, too' >&2"]
  }
  provisioner "shell-local" {
    only   = ["null.beta"]
    inline = ["exit 3"]
  }
  post-processor "shell-local" {
    only   = ["null.alpha"]
    inline = ["echo 'pp says hi'"]
  }
}
"""
EXIT_3 = "Script exited with non-zero exit status: 3.Allowed exit codes are: [0]"


def _fail_replay() -> Replay:
    events: list[Event] = []
    for name in ("null.alpha", "null.beta"):
        events += [
            ("say", name, f"Running local shell script: {SCRIPT}"),
            ("message", name, "the secret is hunter2"),
            ("say", name, f"Running local shell script: {SCRIPT}"),
            ("error", name, "to stderr, too"),
        ]
    events += [
        ("say", "null.alpha", "Running post-processor:  (type shell-local)"),
        ("pp_say", "null.alpha", "shell-local", f"Running local shell script: {SCRIPT}"),
        ("pp_message", "null.alpha", "shell-local", "pp says hi"),
        ("finished", "null.alpha"),
    ]
    # Packer runs the builds one after the other with -parallel-builds=1: alpha's lines come first.
    alpha = [e for e in events if e[1] == "null.alpha"]
    beta = [e for e in events if e[1] == "null.beta"] + [
        ("say", "null.beta", f"Running local shell script: {SCRIPT}"),
        ("say", "null.beta", "Provisioning step had errors: Running the cleanup provisioner, if present..."),
        ("errored", "null.beta", EXIT_3),
    ]
    results = [ok_result("null.alpha", 2), BuildResult("null.beta", [], EXIT_3, 0.01)]
    return Replay(["null.alpha", "null.beta"], alpha + beta, results)


def test_failing_build_and_secrets_match_packer(tmp_path: Path) -> None:
    packer = run_packer(tmp_path, FAIL_TEMPLATE, "-parallel-builds=1")
    kiln = _fail_replay().run(sensitive=["hunter2"])
    assert "hunter2" not in kiln and "the secret is <sensitive>" in kiln
    assert "\033[1;31mBuild 'null.beta' errored after " in kiln
    assert normalise(kiln) == normalise(packer)


SIX_TEMPLATE = """
source "null" "a" {
  communicator = "none"
}
build {
  name = "b"
  source "source.null.a" { name = "s1" }
  source "source.null.a" { name = "s2" }
  source "source.null.a" { name = "s3" }
  source "source.null.a" { name = "s4" }
  source "source.null.a" { name = "s5" }
  source "source.null.a" { name = "s6" }
  provisioner "shell-local" {
    inline = ["exit 1"]
  }
}
"""


def test_palette_order_and_all_failed_summary_match_packer(tmp_path: Path) -> None:
    names = [f"b.null.s{i}" for i in range(1, 7)]
    error = "Script exited with non-zero exit status: 1.Allowed exit codes are: [0]"
    events: list[Event] = []
    for name in names:
        events += [
            ("say", name, f"Running local shell script: {SCRIPT}"),
            ("say", name, "Provisioning step had errors: Running the cleanup provisioner, if present..."),
            ("errored", name, error),
        ]
    replay = Replay(names, events, [BuildResult(n, [], error, 0.01) for n in names])
    packer = run_packer(tmp_path, SIX_TEMPLATE, "-parallel-builds=1")
    kiln = replay.run()
    assert "\033[1;34m==> b.null.s5:" in kiln and "\033[1;32m==> b.null.s6:" in kiln
    assert kiln.rstrip().endswith("==> Builds finished but no artifacts were created.")
    assert _sort_arrow_lines(normalise(kiln)) == _sort_arrow_lines(normalise(packer))


def test_no_builds_selected_matches_packer(tmp_path: Path) -> None:
    packer = run_packer(tmp_path, OK_TEMPLATE, "-only=null.nothing")
    kiln = Replay([], []).run()
    assert normalise(kiln) == normalise(packer)


SLEEP_TEMPLATE = """
source "null" "a" {
  communicator = "none"
}
build {
  sources = ["source.null.a"]
  provisioner "shell-local" {
    inline = ["sleep 2"]
  }
}
"""


def test_cancelled_run_summary_matches_packer(tmp_path: Path) -> None:
    packer = run_packer_terminated(
        tmp_path, SLEEP_TEMPLATE, "-color=false", after="Running local shell script"
    )
    out = io.StringIO()
    ui = make_ui(stdout=out, color=False)
    ui.for_build("null.a").say(f"Running local shell script: {SCRIPT}")
    ui.error("Cancelling build after receiving terminated")
    ui.build_finished("null.a", 1.3)
    ui.summary([BuildResult("null.a", [], None, 1.3)], seconds=1.3, interrupted=True)
    assert out.getvalue().endswith("Cleanly cancelled builds after being interrupted.\n")
    assert normalise(out.getvalue()) == normalise(packer)
