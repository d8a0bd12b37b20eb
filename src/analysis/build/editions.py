"""The output folder as a series of complete editions, published with one atomic rename.

A reader of the output folder must see, for every report, the whole previous edition or the
whole new one, never a mix, and an ``index.html`` and ``build-summary.json`` that describe the
files that are there, whatever moment a build is killed at. Files renamed into place one by
one cannot give that. So the folder is laid out as::

    OUT/
      .coopreport-output          marker: this folder is coopreport's (and its layout version)
      .editions/e-.../            complete editions: reports, _failed/, index.html, summary
      current -> .editions/e-...  the published edition (a symbolic link)
      index.html -> current/index.html, NAME.html -> current/NAME.html, ...

A build copies the current edition into a new one (a real copy, not hard links: a file written
in place in the new edition must never change the published one), changes the
reports it built there, writes the summary and the index there, and then publishes it by
replacing the ``current`` link with :func:`os.replace` — one atomic rename. The stable links at
the top (``OUT/NAME.html``) resolve through ``current``, so every path a reader opened before
still works, and each now shows the new edition. A build killed at any moment leaves
``current`` pointing at one complete edition; the unfinished edition is removed by the next
build.

Each edition's ``history.json`` lists the editions published up to it (the build appends its
own, :mod:`analysis.build.history`), which tells the published editions from those of killed
builds. After publishing, :func:`prune` keeps the last N published editions (``--keep-editions``,
default :data:`DEFAULT_KEEP`) and removes older ones; the edition published just before is
kept whatever N is, for readers who are in the middle of it. Only folders named like editions
inside ``.editions`` are ever removed.

Where the file system has no symbolic links (Windows without developer mode) the build says so
and refuses; build into a folder on a file system that has them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
from pathlib import Path

from analysis.core.errors import OutputFolderError, StorageError
from analysis.core.files import atomic_write, make_folder

log = logging.getLogger(__name__)

MARKER = ".coopreport-output"
EDITIONS = ".editions"
CURRENT = "current"
PREVIOUS = "previous"  # in .editions/: the edition published before the current one
LAYOUT = 1
EDITION_PREFIX = "e-"
REPORT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # a report name: a plain file name
# names at the top of the output folder that are the tool's own, never report links
OWN_NAMES = {MARKER, EDITIONS, CURRENT}
HISTORY_NAME = "history.json"  # in an edition: the editions published up to it, oldest first
DEFAULT_KEEP = 10  # published editions kept (--keep-editions)


def is_ours(out: Path) -> bool:
    """Whether ``out`` carries coopreport's marker."""
    marker = out / MARKER
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool") == "coopreport"


def claim(out: Path, own_names: frozenset[str] = frozenset()) -> None:
    """Make sure ``out`` is a folder coopreport may write to, and mark it as its own.

    An absent or empty folder is claimed (the marker is written); a folder with the marker is
    coopreport's. Anything else — a file, a folder that holds files coopreport did not make —
    is refused, so the build never replaces or deletes what it did not make.

    Parameters
    ----------
    own_names
        Further names the caller itself keeps in a new folder (a lock file), allowed there.

    Raises
    ------
    OutputFolderError
        When ``out`` is a file, or a folder of someone else's files (exit code 2).
    StorageError
        When ``out`` cannot be made or written (exit code 74).
    """
    if out.exists() and not out.is_dir():
        raise OutputFolderError(f"{out} is a file, not a folder; give --output-dir a folder "
                         "(new, empty, or one coopreport built into before)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot make the output folder {out} ({exc.strerror or exc}); "
                         "choose a folder you can write to") from exc
    if not os.access(out, os.W_OK | os.X_OK):
        raise StorageError(f"the output folder {out} is not writable; choose a folder you can "
                         "write to, or fix its permissions")
    if is_ours(out):
        return
    _retire_flat_layout(out)
    foreign = sorted(p.name for p in out.iterdir() if p.name not in own_names)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5
                                          else "")
        raise OutputFolderError(f"{out} holds files coopreport did not make ({shown}); it never "
                         "replaces or deletes them: build into a new or empty folder, or into "
                         "one coopreport built into before")
    atomic_write(out / MARKER, json.dumps({"tool": "coopreport", "layout": LAYOUT}) + "\n")


def _retire_flat_layout(out: Path) -> None:
    """Remove the files an earlier coopreport (0.1, files published side by side) made here.

    Only what its ``build-summary.json`` names: each report's ``.ipynb``/``.html``/``.pdf``,
    its failed notebook, the summary, its ``index.html`` and its work folder ``.build``.
    Anything else stays, and makes the folder foreign.
    """
    summary = out / "build-summary.json"
    try:
        data = json.loads(summary.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not (isinstance(data, dict) and {"built_at", "renderer", "reports"} <= set(data)
            and isinstance(data["reports"], list)):
        return
    # a name read from a file is trusted only as a plain file name: never a path, so nothing
    # outside the folder can be named (a crafted or corrupt summary)
    names = {r.get("name") for r in data["reports"] if isinstance(r, dict)}
    names = {n for n in names if isinstance(n, str) and REPORT_NAME.fullmatch(n)}
    made = [out / f"{name}.{ext}" for name in names for ext in ("ipynb", "html", "pdf")]
    made += [out / "_failed" / f"{name}.ipynb" for name in names]
    home = out.resolve()
    made = [p for p in made if p.parent.resolve() in (home, home / "_failed")]
    index = out / "index.html"
    if index.is_file() and "by coopreport" in index.read_text(encoding="utf-8", errors="replace"):
        made.append(index)
    for path in made:
        if path.is_file() and not path.is_symlink():
            path.unlink()
    for folder in (out / "_failed", out / ".build"):
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder) if folder.name == ".build" else _remove_if_empty(folder)
    summary.unlink()
    log.info("%s: replaced the files of an earlier coopreport layout", out)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _edition_at(link: Path) -> Path | None:
    if not link.is_symlink():
        return None
    target = (link.parent / os.readlink(link)).resolve()
    return target if target.is_dir() else None


def current_edition(out: Path) -> Path | None:
    """The published edition's folder, or None before the first build."""
    return _edition_at(out / CURRENT)


def begin(out: Path) -> Path:
    """A new edition: a copy of the published one (or empty), not yet visible.

    Editions left by a killed build are removed first (never the published one, nor the one
    before it, which readers may still be reading).

    Raises
    ------
    StorageError
        When the edition cannot be made (disk full, permissions).
    """
    editions = out / EDITIONS
    current = current_edition(out)
    try:
        editions.mkdir(exist_ok=True)
        remove_stale(out)
        # readable by a web server or sync job running as another user, as the umask says
        new = make_folder(editions, f"{EDITION_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-")
        if current is not None:
            shutil.copytree(current, new, dirs_exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot prepare a new edition in {editions} ({exc}); check free "
                         "space and permissions of the output folder") from exc
    return new


def publish(out: Path, edition: Path) -> None:
    """Make ``edition`` the published one with one atomic rename, then refresh the top links.

    Raises
    ------
    StorageError
        When the file system has no symbolic links, or the rename fails.
    """
    before = current_edition(out)
    made: list[Path] = []
    try:
        # the stable links of the new edition's names first: a link to a new name dangles
        # until the switch, and nothing is published if one cannot be made (a disk out of
        # inodes); then the one rename readers switch at
        add_links(out, {p.name for p in edition.iterdir()}, made)
        if before is not None:  # kept until the next build, for readers still in it
            _replace_link(out / EDITIONS / PREVIOUS, before.name)
        _replace_link(out / CURRENT, os.path.relpath(edition, out))  # readers switch here
    except OSError as exc:
        for link in made:  # the new names' links, which point at nothing published
            link.unlink(missing_ok=True)
        raise StorageError(f"cannot publish the new edition in {out} "
                           f"({exc.strerror or exc}); the previous edition stays published. "
                           "Free disk space (or inodes), and check that the folder's file "
                           "system has symbolic links") from exc
    remove_old_links(out)


def _replace_link(target: Path, points_to: str) -> None:
    """Point the symbolic link ``target`` at ``points_to`` with one atomic rename."""
    link = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    link.unlink(missing_ok=True)
    try:
        os.symlink(points_to, link, target_is_directory=target.name in (CURRENT, PREVIOUS))
        os.replace(link, target)
    finally:
        link.unlink(missing_ok=True)


def add_links(out: Path, names: set[str], made: list[Path]) -> None:
    """One stable link ``out/NAME -> current/NAME`` for each of ``names``, made atomically
    (a link already right is left alone); those made anew are appended to ``made``. Only
    coopreport's links are replaced: a file of someone else's at such a name is left as it
    is, with a warning.

    Raises
    ------
    OSError
        When a link cannot be made (a full disk, no inodes, no symbolic links).
    """
    for name in sorted(names):
        top = out / name
        wanted = os.path.join(CURRENT, name)
        if top.is_symlink() and os.readlink(top) == wanted:
            continue
        if top.exists() or top.is_symlink():
            if not top.is_symlink() or not os.readlink(top).startswith(CURRENT + os.sep):
                log.warning("%s is not coopreport's; left as it is (the report is at %s)",
                            top, out / CURRENT / name)
                continue
        else:
            made.append(top)
        _replace_link(top, wanted)


def remove_old_links(out: Path) -> None:
    """Remove the stable links to names the published edition no longer has (only symbolic
    links into ``current``). Best effort: a link that cannot be removed dangles, harmless."""
    current = current_edition(out)
    names = {p.name for p in current.iterdir()} if current else set()
    for top in out.iterdir():
        if (top.is_symlink() and top.name not in names and top.name not in OWN_NAMES
                and os.readlink(top).startswith(CURRENT + os.sep)):
            try:
                top.unlink()
            except OSError as exc:
                log.warning("could not remove the old link %s: %s", top, exc)


def published_editions(edition: Path | None) -> list[str]:
    """The names of the editions published up to ``edition`` (itself included when it was),
    oldest first, as its ``history.json`` lists them; ``[]`` without one (an edition of an
    earlier coopreport)."""
    if edition is None:
        return []
    try:
        entries = json.loads((edition / HISTORY_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(entries, list):
        return []
    names = [e.get("edition") for e in entries if isinstance(e, dict)]
    # a name read from a file is trusted only as an edition's folder name, never a path
    return [n for n in names if isinstance(n, str) and n.startswith(EDITION_PREFIX)
            and REPORT_NAME.fullmatch(n)]


def kept_editions(out: Path, keep: int, history: list[str] | None = None) -> set[str]:
    """The editions :func:`prune` keeps: the last ``keep`` of ``history`` (by default the
    published edition's), the published edition and the one published before it."""
    current = current_edition(out)
    names = published_editions(current) if history is None else history
    kept = set(names[-keep:]) if keep > 0 else set()
    kept |= {e.name for e in (current, _edition_at(out / EDITIONS / PREVIOUS)) if e is not None}
    return kept


def _remove_editions(out: Path, kept: set[str]) -> list[str]:
    editions = out / EDITIONS
    removed: list[str] = []
    if not editions.is_dir():
        return removed
    for stale in sorted(editions.iterdir()):
        if (stale.is_dir() and not stale.is_symlink() and stale.name.startswith(EDITION_PREFIX)
                and stale.name not in kept):
            shutil.rmtree(stale, ignore_errors=True)
            removed.append(stale.name)
    return removed


def remove_stale(out: Path) -> None:
    """Remove the editions of killed builds (never published), and published ones that are
    neither listed in the published edition's history nor the one published before it. Only
    folders named like editions are removed."""
    current = current_edition(out)
    _remove_editions(out, kept_editions(out, len(published_editions(current))))


def prune(out: Path, keep: int) -> list[str]:
    """After publishing: remove the published editions older than the last ``keep`` (the
    edition published before the current one stays, for its readers), and any of killed
    builds. Best effort: an edition that cannot be removed is left. Returns the names
    removed."""
    removed = _remove_editions(out, kept_editions(out, keep))
    if removed:
        log.info("removed %d old edition(s) of %s (--keep-editions %d): %s", len(removed), out,
                 keep, ", ".join(removed))
    return removed
