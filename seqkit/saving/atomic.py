"""Writing a file atomically: a locked temporary beside the target, renamed over it.

The temporary, ``.<name>.<12 hex digits>.tmp``, is locked (``flock``) while it is written,
so the next save to the same path can tell a stale one (its writer was killed) from one
being written right now, and removes only the stale ones. Every ``OSError`` becomes a
[`ModelSaveError`][seqkit.errors.ModelSaveError] (still an ``OSError``) naming the path;
any previous file at the path is left intact.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from seqkit.errors import ModelSaveError, explain

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: stale means old
    fcntl = None  # type: ignore[assignment]

__all__ = ["remove_stale_temporaries", "save_error", "write_atomically"]

STALE_AFTER_S = 60.0
"""An unlocked temporary this old is stale even when empty (a writer creates it empty,
then locks it); on systems without ``flock``, any temporary this old is."""

_FIXES = {
    errno.ENOSPC: "free space on the disk or save elsewhere",
    errno.EDQUOT: "free space within your quota or save elsewhere",
    errno.EISDIR: "the path is a folder: give a file name inside it, e.g. folder/model",
    errno.ENOTDIR: "a part of the path is a file, not a folder: choose another folder",
    errno.EEXIST: "a part of the path is a file, not a folder: choose another folder",
    errno.EACCES: "choose a folder you may write to",
    errno.EROFS: "the file system is read-only: save elsewhere",
}


def save_error(target: Path, error: OSError) -> ModelSaveError:
    """The ``ModelSaveError`` for ``error`` while writing ``target``."""
    fix = _FIXES.get(error.errno or -1, "check the path and the disk")
    message = explain(f"save {str(target)!r}", expected="a file that can be written",
                      received=f"{type(error).__name__}: {error}",
                      fix=f"{fix} (any previous file at the path is intact)")
    return ModelSaveError(message, errno=error.errno, filename=str(target))


def _temporary_pattern(target: Path) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{12}}\.tmp")


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Removes ``target``'s stale temporaries (from saves that were killed); returns them.

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / ".m.seqkit.0123456789ab.tmp").write_bytes(b"partial")
        >>> [path.name for path in remove_stale_temporaries(folder / "m.seqkit")]
        ['.m.seqkit.0123456789ab.tmp']
    """
    pattern, removed = _temporary_pattern(target), []
    try:
        candidates = [entry for entry in os.scandir(target.parent)
                      if pattern.fullmatch(entry.name)]
    except OSError:
        return removed
    for entry in candidates:
        with contextlib.suppress(OSError):
            if _remove_if_stale(Path(entry.path)):
                removed.append(Path(entry.path))
    return removed


def _remove_if_stale(path: Path) -> bool:
    info = path.lstat()
    old = time.time() - info.st_mtime > STALE_AFTER_S
    if fcntl is None:  # pragma: no cover
        if old:
            path.unlink()
        return old
    if info.st_size == 0 and not old:
        return False  # perhaps created an instant ago, not yet locked
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a save is writing it now
        if os.fstat(descriptor).st_ino != path.lstat().st_ino:
            return False  # pragma: no cover - replaced meanwhile
        path.unlink()
        return True
    finally:
        os.close(descriptor)


def write_atomically(target: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Calls ``write`` on a temporary beside ``target``, then renames it over ``target``.

    Raises:
        ModelSaveError: ``target`` is a folder, lies under a file, or cannot be written
            (disk full, permissions); the temporary is removed.
    """
    try:
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(target)
        handle, temporary = _create_beside(target)
    except OSError as error:
        raise save_error(target, error) from error
    lock = os.dup(handle)  # keeps the lock until the rename, after the file is closed
    try:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with os.fdopen(handle, "wb") as raw:
            write(raw)
            raw.flush()
            os.fsync(raw.fileno())  # on disk before it replaces the old file
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(error, OSError) and not isinstance(error, ModelSaveError):
            raise save_error(target, error) from error
        raise
    finally:
        os.close(lock)


def _create_beside(target: Path) -> tuple[int, Path]:
    """Creates a new, empty temporary file next to ``target``; returns its descriptor.

    Opened with mode ``0o666`` so that the system applies the umask (and any default ACL)
    exactly as for ``open()``, with no need to read the process-wide umask (``mkstemp``
    would give ``0o600`` whatever the umask). ``O_EXCL`` never reuses an existing file.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {target}")  # pragma: no cover
