"""Files written whole or not at all, and their fingerprints.

:func:`atomic_write` is the one way the toolkit replaces a file that readers, schedulers or a
later run depend on (an edition's summary and index, the build manifest, imported registry
files and their sidecars, drafts, an appended registry): the content goes to a temporary file
in the same folder, is flushed to disk, and is renamed over the target with :func:`os.replace`,
which is atomic on POSIX and Windows. A reader sees the old file or the new one, never a part;
a crash or a full disk leaves the old file and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in blocks (the data's fingerprint in provenance
    records, build manifests and importers' sidecars)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def atomic_write(path: Path, content: bytes | str, *, mode: int | None = None,
                 fsync: bool = True, before_replace: Callable[[Path], None] | None = None
                 ) -> Path:
    """Replace ``path`` with ``content`` (text is written as UTF-8) in one atomic step.

    Parameters
    ----------
    path
        The file to write; its folder must exist.
    content
        The whole new content.
    mode
        Permission bits of the new file; by default those of any new file (``0o666`` less the
        process's umask, applied by the system when the temporary file is created).
    fsync
        Flush the file (and the folder's entry after the rename) to disk, so the new content
        survives a power cut once this returns.
    before_replace
        Called with the temporary file's path, complete and flushed, just before the rename:
        a check that raises to keep the old file (validation; "the target changed meanwhile").

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        When the temporary file cannot be written or renamed (a full disk, no permission);
        the old file is untouched and no temporary file stays behind. Whatever
        ``before_replace`` raises propagates the same way.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    remove_stale(path.parent, f".{path.name}.", ".tmp")  # left by a killed writer
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    handle = os.open(temporary, flags, 0o666)  # the umask applies, as for any new file
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view):]
            if fsync:
                os.fsync(handle)
        finally:
            os.close(handle)
        if mode is not None:
            os.chmod(temporary, mode)
        if before_replace is not None:
            before_replace(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if fsync:
        _sync_folder(path.parent)
    return path


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (the rename) to disk, where the system allows it."""
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # e.g. Windows: folders cannot be opened; NTFS journals the rename
    try:
        os.fsync(handle)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the file itself is on disk
    finally:
        os.close(handle)


def current_umask() -> int:
    """This process's umask, read without changing it where the system says it
    (``/proc/self/status`` on Linux); elsewhere set and restored at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def make_folder(parent: Path, prefix: str) -> Path:
    """A new folder under ``parent`` with a unique name starting with ``prefix``, readable as
    any folder made under this umask is (``tempfile.mkdtemp`` makes it private: 0700)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    os.chmod(folder, 0o777 & ~current_umask())
    return folder


def _owner_alive(name: str, prefix: str) -> bool:
    """Whether the process whose id follows ``prefix`` in ``name`` still runs (or the name
    carries no process id: then it is left alone)."""
    pid = name[len(prefix):].split("-", 1)[0]
    if not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


def remove_stale(folder: Path, prefix: str, suffix: str = "") -> None:
    """Remove what a killed process of this toolkit left in ``folder``: entries named
    ``PREFIX<pid>-...SUFFIX`` whose process is gone (a half-written temporary file, a scratch
    folder with a copy of a registry). Best effort: what cannot be removed stays."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not (name.startswith(prefix) and name.endswith(suffix)) or _owner_alive(name, prefix):
            continue
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except OSError:
            continue


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A private folder under the system's temporary folder, removed afterwards; folders of
    the same ``prefix`` left by killed processes are removed first."""
    root = Path(tempfile.gettempdir())
    remove_stale(root, f"{prefix}-")
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-{os.getpid()}-", dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
