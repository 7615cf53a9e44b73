"""Atomic file writes: a temporary file beside the target, renamed over it when complete,
so that a failed write leaves any previous file intact."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

from seqkit.saving.save import _create_beside

__all__ = ["write_atomically"]


def write_atomically(target: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Runs ``write(file)`` on a new temporary file beside ``target``, syncs it to disk and
    renames it over ``target``; on any error the temporary file goes and ``target`` stays as
    it was (the temporary file is ``save_model``'s)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _create_beside(target)
    try:
        with os.fdopen(handle, "wb") as raw:
            write(raw)
            raw.flush()
            os.fsync(raw.fileno())  # on disk before it replaces the old file
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
