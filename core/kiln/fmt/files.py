"""Which files ``fmt`` formats, and how it reports, diffs and writes them (Packer's ``HCL2Formatter``).

Without ``-recursive`` the file list is Packer 1.6.6's: a ``.pkr.hcl`` or ``.pkrvars.hcl`` file as
named, or a folder's templates (``.pkr.hcl``, by name) then its variable files (``.pkrvars.hcl``), its
subfolders skipped. With ``-recursive`` (newer Packer) a folder's entries are taken in name order,
subfolders walked where they sort, hidden and editor backup files skipped, and symbolic links to
folders not followed (as Go's ``ReadDir`` reports them), so a link loop cannot trap the walk.

Each file that does not parse is an error and stays as it was; the others are still formatted. A
changed file's name is printed, then the file is rewritten (unless ``-write=false``/``-check``), then
its diff is printed (``diff -u``, run as Packer runs it). A rewrite is atomic: the text goes to a
temporary file beside the target, which takes the target's mode and then its place (through a
symbolic link, onto the file it names); an unchanged file is never touched.
"""

from __future__ import annotations

import os
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from kiln.fmt import format_source
from kiln.hcl.diagnostics import HclDiagnostic, error
from kiln.hcl.functions._paths import clean

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

TEMPLATE_EXT = ".pkr.hcl"
VARFILE_EXT = ".pkrvars.hcl"


class FileError(Exception):
    """A file that could not be formatted: the detail of Packer's "encountered an error" diagnostic."""


def go_error(op: str, path: str, exc: OSError) -> str:
    """Go's ``*PathError`` text: ``open x.pkr.hcl: permission denied``."""
    reason = (exc.strerror or str(exc)).lower() if exc.errno is not None else str(exc)
    return f"{op} {path}: {reason}"


def go_join(folder: str, name: str) -> str:
    """Go's ``filepath.Join``: the joined path, cleaned (``./a`` is ``a``, ``x//y/../z`` is ``x/z``)."""
    return clean(f"{folder}/{name}" if folder else name)


def _ignored(name: str) -> bool:
    """Newer Packer's ``shouldIgnoreFile``: hidden files, vim's ``x~`` and emacs's ``#x#``."""
    return name.startswith(".") or name.endswith("~") or (name.startswith("#") and name.endswith("#"))


@dataclass
class Formatter:
    out: TextIO
    write: bool = True
    show_diff: bool = False
    recursive: bool = False
    diagnostics: list[HclDiagnostic] = field(default_factory=list)
    changed_bytes: int = 0

    # -- the file list -----------------------------------------------------------------------------
    def files(self, path: str) -> list[str] | None:
        """The files to format under ``path``; None (with diagnostics) when there is none to format."""
        if not path:  # Packer looks for nothing there, and so finds nothing
            self.fail("Cannot tell whether  contains HCL2 configuration data")
            return None
        try:
            st = os.stat(path)
        except OSError as exc:
            self.fail(f"Cannot tell wether {path} is a directory", go_error("stat", path, exc))
            return None
        if not stat.S_ISDIR(st.st_mode):
            found = [path] if path.endswith((TEMPLATE_EXT, VARFILE_EXT)) else []
        elif self.recursive:
            found = []
            if not self._walk(path, found):
                return None
        else:
            names = self._names(path)
            if names is None:
                return None
            entries = [(n, go_join(path, n)) for n, is_dir in names if not is_dir]
            found = [p for n, p in entries if n.endswith(TEMPLATE_EXT)]
            found += [p for n, p in entries if n.endswith(VARFILE_EXT)]
        if not found:
            self.fail(f"Cannot tell whether {path} contains HCL2 configuration data")
            return None
        return found

    def _names(self, folder: str) -> list[tuple[str, bool]] | None:
        """A folder's entries by name, each with whether it is a folder itself (a link is not one)."""
        try:
            with os.scandir(folder) as it:
                entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
        except OSError as exc:
            self.fail("Cannot read hcl directory", go_error("open", folder, exc))
            return None
        return sorted(entries, key=lambda e: e[0].encode("utf-8", "surrogateescape"))

    def _walk(self, folder: str, found: list[str]) -> bool:
        names = self._names(folder)
        if names is None:
            return False
        ok = True
        for name, is_dir in names:
            if _ignored(name):
                continue
            full = go_join(folder, name)
            if is_dir:
                ok = self._walk(full, found) and ok
            elif name.endswith((TEMPLATE_EXT, VARFILE_EXT)):
                found.append(full)
        return ok

    # -- formatting ----------------------------------------------------------------------------------
    def format_path(self, path: str) -> None:
        files = self.files(path)
        for name, prepared in zip(files or (), _prepare_all(files or []), strict=True):
            self.finish(name, prepared)

    def finish(self, name: str, prepared: Prepared) -> None:
        """Report, write and diff one prepared file, as Packer's ``processFile`` does."""
        if prepared.error:
            self.fail(f"encountered an error while formatting {name}", prepared.error)
            return
        if prepared.formatted is None:
            return
        new = prepared.formatted.encode("utf-8")
        self.out.write(f"{name}\n")
        if self.write:
            try:
                write_atomically(name, new)
            except OSError as exc:
                self.fail(f"encountered an error while formatting {name}", go_error("open", name, exc))
                return
        if self.show_diff:
            try:
                self.out.write(unified_diff(prepared.data, new, name))
            except FileError as exc:  # Packer counts the file as changed and reports the diff's failure
                self.fail(f"encountered an error while formatting {name}", str(exc))
        self.changed_bytes += len(new)

    def format_stdin(self, data: bytes) -> None:
        """``-``: the text on stdin, formatted, on stdout (newer Packer: printed when it was already
        formatted or when writing; so ``-check`` prints nothing, and exits 3 if it needs formatting)."""
        try:
            text = parse_or_fail(data, "-")
        except FileError as exc:
            self.fail("encountered an error while formatting -", str(exc))
            return
        formatted = format_source(text)
        if formatted == text:
            self.out.write(formatted)
            return
        self.changed_bytes += len(formatted.encode("utf-8"))
        if self.write:
            self.out.write(formatted)

    def fail(self, summary: str, detail: str = "") -> None:
        self.diagnostics.append(error(summary, detail))


@dataclass
class Prepared:
    """A file read, parsed and formatted: its bytes, its new text (None when it is formatted already),
    or why it could not be (Packer's detail)."""

    data: bytes = b""
    formatted: str | None = None
    error: str = ""


def prepare(name: str) -> Prepared:
    try:
        mode = os.stat(name).st_mode
        if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            # Packer would wait on a named pipe for ever; kiln says what it is instead
            return Prepared(error=f"failed to read {name}: it is not a regular file (a pipe, socket or device)")
        with open(name, "rb") as f:
            data = f.read()
    except IsADirectoryError as exc:
        return Prepared(error=f"failed to read {name}: {go_error('read', name, exc)}")
    except OSError as exc:
        return Prepared(error=f"failed to open {name}: {go_error('open', name, exc)}")
    try:
        text = parse_or_fail(data, name)
    except FileError as exc:
        return Prepared(data, error=str(exc))
    formatted = format_source(text)
    return Prepared(data, None if formatted == text else formatted)


# Reading, parsing and formatting a file is independent of every other file, and parsing is where
# the time goes: with many files, worker processes prepare them (in order, by chunks) while this one
# reports, writes and diffs them in Packer's order.
_FILES_PER_WORKER = 16


def _prepare_all(files: list[str]) -> Iterator[Prepared]:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = min(cpus, len(files) // _FILES_PER_WORKER, 8)
    if workers < 2:
        yield from map(prepare, files)
        return
    with multiprocessing_pool(workers) as pool:
        yield from pool.imap(prepare, files, chunksize=max(1, len(files) // (workers * 4)))


def multiprocessing_pool(workers: int) -> Pool:
    """Forked workers: they start with this process's modules already imported."""
    import multiprocessing

    return multiprocessing.get_context("fork").Pool(workers)


def parse_or_fail(data: bytes, name: str) -> str:
    """The text of ``data`` when it parses as HCL2 native syntax; else ``FileError`` with newer
    Packer's detail: its parse diagnostics, each as ``file:line,col-col: summary; detail``."""
    from kiln.hcl.diagnostics import DiagnosticError
    from kiln.hcl.parse import parse_body

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(_multierror([_bad_encoding(data, exc.start, name)])) from None
    try:
        parse_body(text[1:] if text.startswith("\ufeff") else text, name)
    except DiagnosticError as exc:
        raise FileError(_multierror([_diag_error(d) for d in exc.diagnostics])) from None
    except RecursionError:  # kiln's parser recurses per bracket level; Packer's has no such limit
        raise FileError(f"{name}: its blocks or brackets are nested too deeply for kiln's parser") from None
    return text


def _bad_encoding(data: bytes, at: int, name: str) -> str:
    before = data[:at].decode("utf-8")
    line = before.count("\n") + 1
    col = len(before) - (before.rfind("\n") + 1) + 1
    return (f"{name}:{line},{col}-{col + 1}: Invalid character encoding; All input files must be UTF-8 "
            "encoded. Ensure that UTF-8 encoding is selected in your editor.")


def _diag_error(d: HclDiagnostic) -> str:
    """hcl.Diagnostic's ``Error()``: ``<subject range>: summary; detail``."""
    r = d.range
    if r is None:
        where = "<nil>"
    elif r.start.line == r.end.line:
        where = f"{r.filename}:{r.start.line},{r.start.column}-{r.end.column}"
    else:
        where = f"{r.filename}:{r.start.line},{r.start.column}-{r.end.line},{r.end.column}"
    return f"{where}: {d.summary}; {d.detail}"


def _multierror(errors: list[str]) -> str:
    """go-multierror's list format."""
    if len(errors) == 1:
        return f"1 error occurred:\n\t* {errors[0]}\n\n"
    return f"{len(errors)} errors occurred:\n\t" + "\n\t".join(f"* {e}" for e in errors) + "\n\n"


def write_atomically(path: str, data: bytes) -> None:
    """Put ``data`` in ``path`` through a temporary file and a rename: readers see the old text or the
    new, never a part. The file keeps its mode and (as far as this user may set it) its owner; a
    symbolic link stays a link to the rewritten file. A file this user may not write is refused, as
    Packer's in-place write refuses it (the rename alone would not need the permission)."""
    target = os.path.realpath(path)
    st = os.stat(target)
    if not os.access(target, os.W_OK):
        raise PermissionError(13, "Permission denied", path)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except PermissionError:  # only root gives a file away; the new file is then this user's
                pass
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def unified_diff(old: bytes, new: bytes, name: str) -> str:
    """``diff --label=old/NAME --label=new/NAME -u``, as Packer runs it (it shells out to diff too)."""
    with tempfile.NamedTemporaryFile(prefix="kiln-fmt-") as a, tempfile.NamedTemporaryFile(prefix="kiln-fmt-") as b:
        a.write(old)
        a.flush()
        b.write(new)
        b.flush()
        try:
            done = subprocess.run(["diff", f"--label=old/{name}", f"--label=new/{name}", "-u", a.name, b.name],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        except OSError:
            raise FileError(f'failed to generate diff for {name}: exec: "diff": executable file not found '
                             "in $PATH") from None
    return done.stdout.decode("utf-8", "replace")
