"""``kiln cleanup [-dry-run]``: remove the cloud resources that killed builds left behind.

Plugins write every resource they create in the cleanup journal (``kiln_sdk.journal``) and cross it out
once it is gone. A build killed with SIGKILL (or a power loss) leaves its journal file behind; this verb
asks the plugin that created each resource to delete it (``PLUGIN cleanup``, entries on stdin), newest
first, and keeps in the journal only what could not be removed. Journals of builds still running (their
plugin process holds the file's lock) are left alone. Credentials come from this command's environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence

from kiln_sdk.journal import JournalEntry, LeftOver, journal_dir, left_overs

from kiln.cli.common import UsageError, parse_or_usage, print_usage
from kiln.cli.flags import Flag

USAGE = """
Usage: kiln cleanup [options]

  Removes the cloud resources (instances, key pairs, security groups, images...)
  that builds killed before their own cleanup left behind, as recorded in the
  cleanup journal ($KILN_JOURNAL_DIR, else $XDG_STATE_HOME/kiln/journal or
  ~/.local/state/kiln/journal). Each resource is deleted by the plugin that
  created it, with the credentials of this command's environment. Builds that
  are still running are not touched.

Options:

  -dry-run               List what would be removed; remove nothing.
"""

FLAGS = [Flag("dry-run", "bool", False), Flag("machine-readable", "bool", False)]


def _describe(entry: JournalEntry) -> str:
    where = ", ".join(f"{k} {v}" for k, v in sorted(entry.attrs.items()) if k in ("region", "endpoint", "zone"))
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.created)) if entry.created else "?"
    build = f"build '{entry.build_name}', " if entry.build_name else ""
    return (f"{entry.resource_type} {entry.resource_id}" + (f" ({where})" if where else "")
            + f": {build}{entry.kind} {entry.component}, {when}")


def _command(entry: JournalEntry) -> list[str] | None:
    """How to reach the plugin that created ``entry``: the command it ran as, while that still exists."""
    if entry.command and (os.path.isabs(entry.command[0]) and os.access(entry.command[0], os.X_OK)):
        return list(entry.command)
    from kiln.plugins.discovery import discover

    catalog = discover()
    catalog.describe_all()
    matches = {src.executable.command for (kind, _), src in catalog.components.items()
               if kind == entry.kind and src.own_name == entry.component}
    return list(matches.pop()) if len(matches) == 1 else None


def _clean(left: LeftOver, out: list[str]) -> list[JournalEntry]:
    """Ask each plugin to delete its entries; return the entries that are still there."""
    groups: dict[tuple[str, ...], list[JournalEntry]] = {}
    remaining: list[JournalEntry] = []
    for entry in left.entries:
        found = _command(entry)
        if found is None:
            out.append(f"    cannot reach the plugin that created {entry.resource_type} {entry.resource_id} "
                       f"({' '.join(entry.command) or 'unknown command'}): install it again, then re-run")
            remaining.append(entry)
            continue
        groups.setdefault(tuple(found), []).append(entry)
    for command, entries in groups.items():
        payload = "".join(json.dumps(e.to_json()) + "\n" for e in entries)
        try:
            proc = subprocess.run([*command, "cleanup"], input=payload, capture_output=True, text=True,
                                  timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as exc:
            out.append(f"    could not run the plugin {command[0]}: {exc}")
            remaining.extend(entries)
            continue
        done: set[str] = set()
        by_id = {e.id: e for e in entries}
        for line in proc.stdout.splitlines():
            try:
                result = json.loads(line)
            except ValueError:
                continue
            entry_id = str(result.get("id", ""))
            if "say" in result:
                out.append(f"==> cleanup: {result['say']}")
            elif "message" in result:
                out.append(f"    cleanup: {result['message']}")
            elif result.get("ok"):
                done.add(entry_id)
            elif "error" in result and entry_id in by_id:
                e = by_id[entry_id]
                out.append(f"    failed to remove {e.resource_type} {e.resource_id}: {result['error']}")
        if proc.returncode not in (0, 1) and proc.stderr.strip():
            out.append(f"    plugin {command[0]} failed (exit {proc.returncode}): {proc.stderr.strip()[-400:]}")
        remaining.extend(e for e in entries if e.id not in done)
    return remaining


def run(argv: Sequence[str], machine_readable: bool = False) -> int:
    try:
        parsed = parse_or_usage(argv, FLAGS)
    except UsageError as exc:
        return print_usage(USAGE, str(exc))
    if parsed.args:
        return print_usage(USAGE, f"kiln cleanup takes no arguments (got {' '.join(parsed.args)})")
    dry_run = bool(parsed["dry-run"])
    directory = journal_dir()
    total = failed = 0
    for left in left_overs(directory):
        lines: list[str] = []
        total += len(left.entries)
        print(f"==> {len(left.entries)} resource(s) left by a build that did not finish ({left.path.name}):")
        for entry in reversed(left.entries):
            print(f"    {_describe(entry)}")
        if dry_run:
            left.release(remove=False)
            continue
        remaining = _clean(left, lines)
        for line in lines:
            print(line)
        failed += len(remaining)
        left.rewrite(remaining)
        sys.stdout.flush()
    if total == 0:
        print(f"Nothing to clean up (journal: {directory}).")
        return 0
    if dry_run:
        print(f"==> {total} resource(s) would be removed (-dry-run: nothing was removed).")
        return 0
    if failed:
        print(f"==> {total - failed} of {total} resource(s) removed; {failed} remain in the journal "
              f"({directory}): fix the problem above and run kiln cleanup again.")
        return 1
    print(f"==> {total} resource(s) removed.")
    return 0


__all__ = ["run"]
