"""Builds write from parallel threads: lines stay whole, colours follow the order builds were announced."""

from __future__ import annotations

import io
import re
import threading

from kiln.ui import BUILD_PALETTE, make_ui


def test_parallel_builds_write_whole_lines_in_their_colour() -> None:
    out = io.StringIO()
    ui = make_ui(stdout=out)
    names = [f"null.b{i}" for i in range(7)]
    for name in names:
        ui.for_build(name)
    barrier = threading.Barrier(len(names))

    def build(name: str) -> None:
        build_ui = ui.for_build(name)
        barrier.wait()
        for i in range(200):
            build_ui.message(f"line {i} of {name}")
        ui.build_finished(name, 0.5)

    threads = [threading.Thread(target=build, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    lines = out.getvalue().split("\n")
    legend, blank, body = lines[:7], lines[7], [line for line in lines[8:] if line]
    assert blank == ""
    for index, name in enumerate(names):
        color = int(BUILD_PALETTE[index % 5])
        assert legend[index] == f"\033[1;{color}m{name}: output will be in this color.\033[0m"
        mine = [line for line in body if f" {name}: " in line or f"'{name}'" in line]
        assert len(mine) == 201
        assert all(line.startswith(f"\033[0;{color}m    {name}: line ") for line in mine[:-1])
        assert mine[-1] == f"\033[1;{color}mBuild '{name}' finished after 500 milliseconds.\033[0m"
    assert all(re.fullmatch(r"\033\[\d;3\dm.*\033\[0m", line) for line in body)
    assert len(body) == 7 * 201


def test_legend_blank_line_comes_once_and_only_in_colour_mode() -> None:
    out = io.StringIO()
    ui = make_ui(stdout=out, color=False)
    ui.for_build("null.a").say("x")
    ui.say("core")
    assert out.getvalue() == "==> null.a: x\ncore\n"

    out = io.StringIO()
    ui = make_ui(stdout=out)
    ui.for_build("null.a").say("x")
    ui.for_build("null.a").say("y")
    assert out.getvalue().split("\n")[1:3] == ["", "\033[1;32m==> null.a: x\033[0m"]
    assert out.getvalue().count("\n\n") == 1


def test_errors_go_to_stdout_like_packer_unless_stderr_is_given(monkeypatch) -> None:
    monkeypatch.setenv("PACKER_NO_COLOR", "1")
    out, err = io.StringIO(), io.StringIO()
    ui = make_ui(stdout=out, stderr=err)
    ui.for_build("null.a").error("boom\nsecond line  ")
    ui.message("core message")
    assert err.getvalue() == "==> null.a: boom\n==> null.a: second line\n"
    # PACKER_NO_COLOR keeps the legend but drops the escapes, as in Packer.
    assert out.getvalue() == "null.a: output will be in this color.\n\ncore message\n"
    same = io.StringIO()
    make_ui(stdout=same, color=False).error("e")
    assert same.getvalue() == "e\n"
