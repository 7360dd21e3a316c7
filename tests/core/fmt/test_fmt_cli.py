"""``kiln fmt``'s command line against ``packer fmt`` (1.6.6): the same stdout, exit code and files.

Each scenario runs both tools in identical copies of one folder tree and compares what they print,
their exit codes and every file afterwards. Where Packer 1.6.6 cannot be the oracle (``-recursive``
and ``-`` came later; 1.6.6's parse errors say only "failed to parse HCL"), kiln follows newer
Packer's code and the tests say what it must print.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kiln.cli import fmt as fmt_cli

pytestmark = pytest.mark.skipif(shutil.which("packer") is None, reason="needs Debian's packer 1.6.6")

ENV = {"PATH": "/usr/bin:/bin", "CHECKPOINT_DISABLE": "1"}
UGLY = 'source "null" "a" {\ncommunicator="none"\n}\n'
PRETTY = 'source "null" "a" {\n  communicator = "none"\n}\n'

TREE: dict[str, str] = {
    "a.pkr.hcl": UGLY,
    "b.pkr.hcl": PRETTY,
    "c.pkrvars.hcl": "region=\"x\"\nn = 1\n",
    "0.pkrvars.hcl": PRETTY,
    "d.pkr.json": '{"a":1}',
    "e.txt": "a=1\n",
    ".hidden.pkr.hcl": "x=1\n",
    "sub/f.pkr.hcl": UGLY,
    "sub/deeper/g.pkrvars.hcl": "g=1\n",
}


def make_tree(root: Path, tree: dict[str, str]) -> None:
    for rel, text in tree.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_kiln(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, stdin: bytes = b"") -> tuple[int, str]:
    out = io.StringIO()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    with contextlib.redirect_stdout(out):
        code = fmt_cli.run(args)
    return code, out.getvalue()


def run_packer(args: list[str], cwd: Path) -> tuple[int, str]:
    p = subprocess.run(["packer", "fmt", *args], cwd=cwd, capture_output=True, env={**ENV, "HOME": str(cwd)},
                       timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape")  # as written: no newline translation


def both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], tree: dict[str, str] | None = None,
         ) -> tuple[tuple[int, str, dict[str, bytes]], tuple[int, str, dict[str, bytes]]]:
    k, p = tmp_path / "k", tmp_path / "p"
    for root in (k, p):
        make_tree(root, TREE if tree is None else tree)
    pc, pout = run_packer(args, p)
    kc, kout = run_kiln(args, k, monkeypatch)
    return (kc, kout, snapshot(k)), (pc, pout, snapshot(p))


@pytest.mark.parametrize("args", [
    ["."], ["-check", "."], ["-diff", "."], ["-write=false", "."], ["-write=false", "-diff", "."],
    ["-check", "-diff", "."], ["-check=false", "."], ["--check", "."], ["-diff=true", "-write", "."],
    ["a.pkr.hcl"], ["-check", "b.pkr.hcl"], ["-diff", "c.pkrvars.hcl"], ["sub"], ["sub/"], ["./sub/../sub"],
    ["-check", "sub/deeper"], ["d.pkr.json"], ["e.txt"], ["nope"], ["nope/x.pkr.hcl"], ["sub/deeper/.."], [""],
    ["-check", "/"], ["a.pkr.hcl/"],
    ["-var", "a=b", "-var-file=x", "-only=a", "-except", "b", "-config-type=hcl2", "-check", "."],
])
def test_cli_matches_packer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    kiln, packer = both(tmp_path, monkeypatch, args)
    assert kiln == packer


def test_check_on_formatted_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kiln, packer = both(tmp_path, monkeypatch, ["-check", "."], {"x.pkr.hcl": PRETTY, "y.pkrvars.hcl": "a = 1\n"})
    assert kiln == packer and kiln[:2] == (0, "")


def test_folder_without_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kiln, packer = both(tmp_path, monkeypatch, ["."], {"x.json": "{}", "sub/y.pkr.hcl": UGLY})
    assert kiln == packer
    assert kiln[0] == 1 and "Cannot tell whether . contains HCL2 configuration data" in kiln[1]


# -- files that do not parse -----------------------------------------------------------------------------

def _packer_detail(out: str) -> str:
    """Packer 1.6.6's detail for a file that does not parse, in the place kiln prints newer Packer's."""
    return re.sub(r"\d+ errors? occurred:\n\t\* (\S+?):\d+,\d+-[\d,]+: .*?\n\n\n\n",
                  r"failed to parse HCL \1\n\n", out, flags=re.S)


def test_unparsable_file_is_an_error_and_stays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = {"a.pkr.hcl": UGLY, "bad.pkr.hcl": "a = \n", "z.pkr.hcl": UGLY}
    kiln, packer = both(tmp_path, monkeypatch, ["."], tree)
    assert (kiln[0], _packer_detail(kiln[1]), kiln[2]) == packer
    assert kiln[2]["bad.pkr.hcl"] == b"a = \n"  # untouched; the others are formatted, as Packer does
    assert ("Error: encountered an error while formatting bad.pkr.hcl\n\n1 error occurred:\n"
            "\t* bad.pkr.hcl:1,5-2,1: Invalid expression; Expected the start of an expression,\n") in kiln[1]


def test_parse_error_on_a_single_file_with_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kiln, packer = both(tmp_path, monkeypatch, ["-check", "bad.pkr.hcl"], {"bad.pkr.hcl": "x {\n"})
    assert (kiln[0], _packer_detail(kiln[1]), kiln[2]) == packer and kiln[0] == 1


# -- what the file system can do wrong -------------------------------------------------------------------

def test_symlink_loop_and_dangling_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for root in (tmp_path / "k", tmp_path / "p"):
        make_tree(root, {"a.pkr.hcl": UGLY})
        os.symlink("loop.pkr.hcl", root / "loop.pkr.hcl")
        os.symlink("nowhere", root / "dangling.pkr.hcl")
    pc, pout = run_packer(["."], tmp_path / "p")
    kc, kout = run_kiln(["."], tmp_path / "k", monkeypatch)
    assert (kc, kout) == (pc, pout)
    assert "open loop.pkr.hcl: too many levels of symbolic\nlinks" in kout  # wrapped at 80 columns


def test_write_goes_through_a_symlink_and_keeps_the_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for root in (tmp_path / "k", tmp_path / "p"):
        make_tree(root, {"real/t.pkr.hcl": UGLY, "real/ro.pkr.hcl": UGLY})
        (root / "links").mkdir()
        os.symlink("../real/t.pkr.hcl", root / "links" / "t.pkr.hcl")
        os.chmod(root / "real" / "t.pkr.hcl", 0o751)
    pc, pout = run_packer(["links"], tmp_path / "p")
    kc, kout = run_kiln(["links"], tmp_path / "k", monkeypatch)
    assert (kc, kout) == (pc, pout)
    k = tmp_path / "k"
    assert (k / "links" / "t.pkr.hcl").is_symlink() and (k / "real" / "t.pkr.hcl").read_text() == PRETTY
    assert (k / "real" / "t.pkr.hcl").stat().st_mode & 0o7777 == 0o751
    assert sorted(os.listdir(k / "real")) == ["ro.pkr.hcl", "t.pkr.hcl"]  # no temporary file left


def test_directory_named_like_a_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for root in (tmp_path / "k", tmp_path / "p"):
        make_tree(root, {"a.pkr.hcl": UGLY, "dir.pkr.hcl/x.pkr.hcl": UGLY, "real/y.pkr.hcl": UGLY})
        os.symlink("real", root / "link.pkr.hcl")
    pc, pout = run_packer(["."], tmp_path / "p")
    kc, kout = run_kiln(["."], tmp_path / "k", monkeypatch)
    assert (kc, kout) == (pc, pout)
    assert "read link.pkr.hcl: is a directory" in kout


# Root reads files whatever their mode: as root, both tools run without the capabilities that allow it.
UNPRIVILEGED = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []


def run_unprivileged(tool: list[str], cwd: Path) -> tuple[int, str]:
    p = subprocess.run([*UNPRIVILEGED, *tool], cwd=cwd, capture_output=True, text=True,
                       env={**ENV, "HOME": str(cwd)}, timeout=120)
    return p.returncode, p.stdout


@pytest.mark.skipif(bool(UNPRIVILEGED) and shutil.which("setpriv") is None, reason="needs setpriv as root")
def test_unreadable_file_and_folder(tmp_path: Path) -> None:
    for root in (tmp_path / "k", tmp_path / "p"):
        make_tree(root, {"a.pkr.hcl": UGLY, "no.pkr.hcl": UGLY, "closed/x.pkr.hcl": UGLY, "t/closed/y.pkr.hcl": UGLY,
                         "t/b.pkr.hcl": UGLY})
        for rel in ("no.pkr.hcl", "closed", "t/closed"):
            os.chmod(root / rel, 0)
    try:
        for args in (["."], ["closed"], ["no.pkr.hcl"]):
            packer = run_unprivileged(["packer", "fmt", *args], tmp_path / "p")
            kiln = run_unprivileged([sys.executable, "-m", "kiln", "fmt", *args], tmp_path / "k")
            assert kiln == packer and kiln[0] == 1
        assert "open no.pkr.hcl: permission denied" in kiln[1]
        # -recursive (newer Packer): an unreadable folder anywhere stops the run before anything is written
        code, out = run_unprivileged([sys.executable, "-m", "kiln", "fmt", "-recursive", "t"], tmp_path / "k")
        assert code == 1 and "Error: Cannot read hcl directory\n\nopen t/closed: permission denied\n" in out
        assert (tmp_path / "k" / "t" / "b.pkr.hcl").read_text() == UGLY
    finally:
        for root in (tmp_path / "k", tmp_path / "p"):
            for rel in ("closed", "t/closed"):
                os.chmod(root / rel, 0o755)


def test_failed_write_leaves_the_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rename is what fails: the original stays byte for byte and no temporary file is left."""
    from kiln.fmt import files

    make_tree(tmp_path, {"a.pkr.hcl": UGLY})

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", refuse)
    code, out = run_kiln(["a.pkr.hcl"], tmp_path, monkeypatch)
    assert code == 1
    assert out == ("a.pkr.hcl\nError: encountered an error while formatting a.pkr.hcl\n\n"
                   "open a.pkr.hcl: permission denied\n\n\n")
    assert os.listdir(tmp_path) == ["a.pkr.hcl"] and (tmp_path / "a.pkr.hcl").read_text() == UGLY


def test_unchanged_files_are_not_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path, {"a.pkr.hcl": PRETTY, "b.pkr.hcl": UGLY})
    os.utime(tmp_path / "a.pkr.hcl", (1000, 1000))
    inode = (tmp_path / "a.pkr.hcl").stat().st_ino
    code, out = run_kiln(["."], tmp_path, monkeypatch)
    assert (code, out) == (0, "b.pkr.hcl\n")
    st = (tmp_path / "a.pkr.hcl").stat()
    assert (st.st_mtime, st.st_ino) == (1000, inode)


# -- flags ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [[], ["a", "b"], ["-check=maybe", "."], ["-nope", "."], ["-config-type=yaml", "."],
                                  ["-var", "novalue", "."]])
def test_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    pc, pout = run_packer(args, tmp_path)
    kc, kout = run_kiln(args, tmp_path, monkeypatch)
    assert kc == pc == 1
    # Packer writes the flag error through a second, unsynchronised writer: it lands before or after the
    # usage, or not at all. kiln prints it once, last. The rest is Packer 1.6.6's usage, with kiln's name
    # and newer Packer's wording (its "-" and -recursive lines, "TEMPLATE" spelt right).
    usage = fmt_cli.USAGE.strip().splitlines()
    got = kout.splitlines()
    assert got[: len(usage)] == usage
    errors = got[len(usage):]
    assert len(errors) == (1 if args and args[0].startswith("-") else 0)
    packer_lines = pout.replace("packer fmt", "kiln fmt").splitlines()
    assert all(packer_lines.count(e) <= 1 for e in errors)  # where Packer's error came out, it is kiln's
    reworded = {'  If TEMPATE is "." the current directory will be used. The given content must',
                "  be in Packer's HCL2 configuration language; JSON is not supported."}
    packer_usage = [ln for ln in packer_lines if ln not in errors and ln not in reworded]
    assert packer_usage and all(ln in usage for ln in packer_usage)
    assert len(packer_lines) - len(packer_usage) - len(reworded) in (0, len(errors))  # nothing else
    if errors and "maybe" in args[0]:
        assert errors == ['invalid boolean value "maybe" for -check: parse error']


# -- newer Packer: -recursive and stdin ------------------------------------------------------------------

def test_recursive_walks_in_name_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path, {**TREE, "sub/#x.pkr.hcl#": "x=1\n", "sub/y.pkr.hcl~": "x=1\n", ".git/h.pkr.hcl": "x=1\n"})
    code, out = run_kiln(["-check", "-recursive", "."], tmp_path, monkeypatch)
    assert (code, out) == (3, "a.pkr.hcl\nc.pkrvars.hcl\nsub/deeper/g.pkrvars.hcl\nsub/f.pkr.hcl\n")
    code, out = run_kiln(["-recursive", "."], tmp_path, monkeypatch)
    assert code == 0 and (tmp_path / "sub" / "deeper" / "g.pkrvars.hcl").read_text() == "g = 1\n"
    assert run_kiln(["-check", "-recursive", "."], tmp_path, monkeypatch) == (0, "")
    assert (tmp_path / ".hidden.pkr.hcl").read_text() == "x=1\n"  # hidden: skipped by -recursive


def test_recursive_each_folder_as_packer_formats_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What -recursive does to each folder's own files is what Packer 1.6.6 does to that folder."""
    tree = {"x/a.pkr.hcl": UGLY, "x/b.pkrvars.hcl": "b=1\n", "x/y/c.pkr.hcl": UGLY, "x/y/z/d.pkr.hcl": PRETTY}
    make_tree(tmp_path / "k", tree)
    make_tree(tmp_path / "p", tree)
    code, out = run_kiln(["-recursive", "x"], tmp_path / "k", monkeypatch)
    for folder in ("x", "x/y", "x/y/z"):
        run_packer([folder], tmp_path / "p")
    assert code == 0 and out == "x/a.pkr.hcl\nx/b.pkrvars.hcl\nx/y/c.pkr.hcl\n"
    assert snapshot(tmp_path / "k") == snapshot(tmp_path / "p")


def test_recursive_does_not_follow_folder_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A link back up the tree would be a loop: like Go's ReadDir, kiln does not take a link for a folder."""
    make_tree(tmp_path, {"t/a.pkr.hcl": UGLY})
    os.symlink("..", tmp_path / "t" / "up")
    os.symlink(".", tmp_path / "t" / "self")
    code, out = run_kiln(["-recursive", "-check", "t"], tmp_path, monkeypatch)
    assert (code, out) == (3, "t/a.pkr.hcl\n")


def test_recursive_without_templates_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path, {"t/x.json": "{}", "t/.h/y.pkr.hcl": UGLY})
    code, out = run_kiln(["-recursive", "t"], tmp_path, monkeypatch)
    assert (code, out) == (1, "Error: Cannot tell whether t contains HCL2 configuration data\n\n\n")


@pytest.mark.parametrize(("args", "stdin", "code", "out"), [
    (["-"], UGLY, 0, PRETTY),
    (["-"], PRETTY, 0, PRETTY),
    (["-check", "-"], UGLY, 3, ""),
    (["-check", "-"], PRETTY, 0, PRETTY),
    (["-write=false", "-"], UGLY, 0, ""),
    (["-diff", "-"], UGLY, 0, PRETTY),  # newer Packer turns -diff off for stdin
])
def test_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], stdin: str, code: int,
               out: str) -> None:
    assert run_kiln(args, tmp_path, monkeypatch, stdin.encode()) == (code, out)


def test_stdin_that_does_not_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run_kiln(["-"], tmp_path, monkeypatch, b"a = {\n")
    assert code == 1
    assert out.startswith("Error: encountered an error while formatting -\n\n1 error occurred:\n\t* -:2,1-1: ")


def test_the_real_command(tmp_path: Path) -> None:
    """Through the ``kiln`` entry point: stdin to stdout, the exit code of -check."""
    kiln = [sys.executable, "-m", "kiln"]
    p = subprocess.run([*kiln, "fmt", "-"], input=UGLY, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert (p.returncode, p.stdout, p.stderr) == (0, PRETTY, "")
    (tmp_path / "t.pkr.hcl").write_text(UGLY)
    p = subprocess.run([*kiln, "fmt", "-check", "."], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert (p.returncode, p.stdout) == (3, "t.pkr.hcl\n")


def test_many_files_are_prepared_in_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Enough files for worker processes (kiln's own speed-up): the same output, order and files as
    Packer's, errors included."""
    from kiln.fmt import files

    tree = {f"t{i:02}.pkr.hcl": (UGLY if i % 3 else PRETTY) for i in range(40)}
    tree.update({"t17.pkr.hcl": "a = \n", "v.pkrvars.hcl": "x=1\n"})
    for root in (tmp_path / "k", tmp_path / "p"):
        make_tree(root, tree)
        os.symlink("t99.pkr.hcl", root / "t99.pkr.hcl")
    monkeypatch.setattr(files.os, "sched_getaffinity", lambda _: {0, 1}, raising=False)
    workers: list[int] = []
    real_pool = files.multiprocessing_pool

    def spy(n: int):  # type: ignore[no-untyped-def]
        workers.append(n)
        return real_pool(n)

    monkeypatch.setattr(files, "multiprocessing_pool", spy)
    pc, pout = run_packer(["-diff", "."], tmp_path / "p")
    kc, kout = run_kiln(["-diff", "."], tmp_path / "k", monkeypatch)
    assert workers == [2]
    assert kc == pc == 1
    assert _packer_detail(kout).splitlines() == pout.splitlines()
    assert snapshot(tmp_path / "k") == snapshot(tmp_path / "p")


@pytest.mark.parametrize("args", [["-check", "."], ["."], ["-nope", "."]])
def test_machine_readable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    """File names and diffs go straight to stdout; errors and usage become ``ui,error``/``ui,say`` lines."""
    tree = {"a.pkr.hcl": UGLY, "bad.pkr.hcl": "a = \n"}
    for root in (tmp_path / "k", tmp_path / "p"):
        make_tree(root, tree)
    p = subprocess.run(["packer", "-machine-readable", "fmt", *args], cwd=tmp_path / "p", capture_output=True,
                       text=True, env={**ENV, "HOME": str(tmp_path)}, timeout=120)
    out = io.StringIO()
    monkeypatch.chdir(tmp_path / "k")
    with contextlib.redirect_stdout(out):
        code = fmt_cli.run(args, machine_readable=True)

    def strip(text: str) -> list[str]:  # the timestamp differs; the parse error's detail is newer Packer's
        text = text.replace("kiln fmt", "packer fmt")
        text = re.sub(r"1 error occurred:\\n\t\* (\S+?):\S+: .*?\\n\\n\\n\\n",
                      r"failed to parse HCL \1\\n\\n", text)
        return [line.split(",", 1)[1] if line[:1].isdigit() else line for line in text.splitlines()]

    assert code == p.returncode
    want, got = strip(p.stdout), strip(out.getvalue())
    if args[0] == "-nope":  # the usage differs (newer Packer's) and Packer's flag error may be missing
        assert got[0].startswith(",ui,say,Usage: packer fmt [options]")
        assert got[1:] == [",ui,error,flag provided but not defined: -nope"]
        return
    assert got == want


@pytest.mark.skipif(bool(UNPRIVILEGED) and shutil.which("setpriv") is None, reason="needs setpriv as root")
def test_read_only_file_is_refused_as_packer_refuses_it(tmp_path: Path) -> None:
    """A rename could replace a file its user may not write; Packer's in-place write cannot, so kiln
    refuses it too, and leaves it as it was."""
    for root in (tmp_path / "k", tmp_path / "p"):
        make_tree(root, {"ro.pkr.hcl": UGLY, "rw.pkr.hcl": UGLY})
        os.chmod(root / "ro.pkr.hcl", 0o444)
    packer = run_unprivileged(["packer", "fmt", "."], tmp_path / "p")
    kiln = run_unprivileged([sys.executable, "-m", "kiln", "fmt", "."], tmp_path / "k")
    assert kiln == packer and kiln[0] == 1 and "open ro.pkr.hcl: permission denied" in kiln[1]
    assert snapshot(tmp_path / "k") == snapshot(tmp_path / "p")
    assert (tmp_path / "k" / "ro.pkr.hcl").read_text() == UGLY


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_rewritten_file_keeps_its_owner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path, {"t.pkr.hcl": UGLY})
    os.chown(tmp_path / "t.pkr.hcl", 65534, 65534)
    assert run_kiln(["t.pkr.hcl"], tmp_path, monkeypatch) == (0, "t.pkr.hcl\n")
    st = (tmp_path / "t.pkr.hcl").stat()
    assert (st.st_uid, st.st_gid) == (65534, 65534) and (tmp_path / "t.pkr.hcl").read_text() == PRETTY


def test_deeply_nested_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of nested blocks and 150 nested brackets format as Packer formats them; beyond kiln's
    limits (200 nested terms in an expression; its parser's recursion for blocks), a clear error where
    Packer has none, the file untouched, and the interpreter's settings restored."""
    import gc

    tree = {"deep.pkr.hcl": "a = " + "[" * 150 + "]" * 150 + "\n", "parens.pkr.hcl": "a=" + "(" * 100 + "1" + ")" * 100 + "\n",
            "blocks.pkr.hcl": "b {\n" * 600 + "}\n" * 600}
    kiln, packer = both(tmp_path, monkeypatch, ["."], tree)
    assert kiln == packer and kiln[0] == 0 and "blocks.pkr.hcl" in kiln[1]
    limit = sys.getrecursionlimit()
    k = tmp_path / "k"
    (k / "terms.pkr.hcl").write_text("a = " + "[" * 300 + "]" * 300 + "\n")
    (k / "blocks.pkr.hcl").write_text("b {\n" * 9000 + "}\n" * 9000)
    code, out = run_kiln(["terms.pkr.hcl"], k, monkeypatch)
    assert code == 1 and "Expression nested too deeply" in out
    code, out = run_kiln(["blocks.pkr.hcl"], k, monkeypatch)
    assert code == 1 and "blocks.pkr.hcl: its blocks or brackets are nested too deeply for kiln's parser" in out
    assert (k / "terms.pkr.hcl").read_text().startswith("a = [[[") and (k / "blocks.pkr.hcl").read_text()[:6] == "b {\nb "
    assert sys.getrecursionlimit() == limit and gc.isenabled()


def test_named_pipe_is_an_error_not_a_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Packer 1.6.6 blocks for ever opening a named pipe called x.pkr.hcl; kiln reports it and goes on."""
    make_tree(tmp_path, {"a.pkr.hcl": UGLY})
    os.mkfifo(tmp_path / "pipe.pkr.hcl")
    code, out = run_kiln(["-check", "."], tmp_path, monkeypatch)
    assert code == 1 and out.startswith("a.pkr.hcl\nError: encountered an error while formatting pipe.pkr.hcl\n")
    assert "it is not a regular file" in out


def test_diff_of_odd_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """diff's own marks (no newline at the end of a file), CRLF lines, non-ASCII text, hunks far apart."""
    far = "a=1\n" + "".join(f"x{i} = {i}\n\n" for i in range(20)) + "z=2\n"
    tree = {"nonl.pkr.hcl": "a=1", "crlf.pkr.hcl": "a=1\r\nbb=2\r\n", "uni.pkr.hcl": 'ü="é" # ç\nlonger="x" # y\n',
            "far.pkr.hcl": far}
    kiln, packer = both(tmp_path, monkeypatch, ["-diff", "-write=false", "."], tree)
    assert kiln == packer and "\\ No newline at end of file" in kiln[1] and kiln[1].count("@@ -") >= 4
