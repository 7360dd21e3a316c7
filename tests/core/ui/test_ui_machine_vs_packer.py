"""``-machine-readable`` against Packer 1.6.6, live: ui lines, escaping, error and artifact records."""

from __future__ import annotations

import io
from pathlib import Path

from kiln.ui import ArtifactSummary, BuildResult, make_ui

from tests.core.ui.packer_ui_oracle import (
    SCRIPT,
    Event,
    Replay,
    normalise,
    ok_result,
    run_packer,
    sort_machine_summary,
)

TEMPLATE = """
source "null" "alpha" {
  communicator = "none"
}
source "file" "beta" {
  content = "hello"
  target  = "out, with comma.txt"
}
source "null" "gamma" {
  communicator = "none"
}
build {
  sources = ["source.null.alpha", "source.file.beta", "source.null.gamma"]
  provisioner "shell-local" {
    only   = ["null.alpha"]
    inline = ["echo 'one, two'"]
  }
  provisioner "shell-local" {
    only   = ["null.gamma"]
    inline = ["exit 2"]
  }
}
"""
EXIT_2 = "Script exited with non-zero exit status: 2.Allowed exit codes are: [0]"
FILE_ARTIFACT = ArtifactSummary(
    "packer.file", "File", "Stored file: out, with comma.txt", ["out, with comma.txt"]
)


def test_machine_readable_matches_packer(tmp_path: Path) -> None:
    events: list[Event] = [
        ("say", "null.alpha", f"Running local shell script: {SCRIPT}"),
        ("message", "null.alpha", "one, two"),
        ("finished", "null.alpha"),
        ("finished", "file.beta"),
        ("say", "null.gamma", f"Running local shell script: {SCRIPT}"),
        ("say", "null.gamma", "Provisioning step had errors: Running the cleanup provisioner, if present..."),
        ("errored", "null.gamma", EXIT_2),
    ]
    results = [
        ok_result("null.alpha"),
        BuildResult("file.beta", [FILE_ARTIFACT], None, 0.01),
        BuildResult("null.gamma", [], EXIT_2, 0.01),
    ]
    replay = Replay(["null.alpha", "file.beta", "null.gamma"], events, results)
    packer = run_packer(tmp_path, TEMPLATE, "-parallel-builds=1", "-machine-readable")
    kiln = replay.run(machine_readable=True)
    assert ",,ui,message,    null.alpha: one%!(PACKER_COMMA) two\n" in kiln
    assert ",file.beta,artifact,0,file,0,out%!(PACKER_COMMA) with comma.txt\n" in kiln
    assert ",null.gamma,error," in kiln and ",,error-count,1\n" in kiln
    assert sort_machine_summary(normalise(kiln)) == sort_machine_summary(normalise(packer))


def test_machine_readable_with_timestamps_matches_packer(tmp_path: Path) -> None:
    template = 'source "null" "a" {\n  communicator = "none"\n}\nbuild {\n  sources = ["source.null.a"]\n}\n'
    packer = run_packer(tmp_path, template, "-machine-readable", "-timestamp-ui")
    kiln = Replay(["null.a"], [("finished", "null.a")], [ok_result("null.a")]).run(
        machine_readable=True, timestamp=True
    )
    assert normalise(kiln) == normalise(packer)
    assert ",,ui,say,<ts>: Build 'null.a' finished after <duration>." in normalise(kiln)


def test_machine_from_a_plugin_is_targeted_and_silent_on_the_console() -> None:
    out = io.StringIO()
    ui = make_ui(machine_readable=True, stdout=out)
    ui.for_build("null.a").machine("plugin-type", "x,y", "multi\r\nline")
    line = out.getvalue()
    assert line.split(",", 1)[1] == "null.a,plugin-type,x%!(PACKER_COMMA)y,multi\\r\\nline\n"
    assert line.split(",", 1)[0].isdigit()

    console = io.StringIO()
    human = make_ui(stdout=console, color=False)
    human.for_build("null.a").machine("plugin-type", "x")
    assert console.getvalue() == ""
