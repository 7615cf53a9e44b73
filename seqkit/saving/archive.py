"""Opening a ``.seqkit`` zip without trusting it: what it declares bounds nothing.

[`open_archive`][seqkit.saving.archive.open_archive] checks the path (a regular file, not a
folder, FIFO or device), then the entries (exactly the two names, once each, neither
encrypted nor compressed other than stored or deflated). Entries are read through a
[`BoundedStream`][seqkit.saving.archive.BoundedStream], which refuses to inflate more than
its limit whatever size the zip declares, and turns every zip, zlib or I/O failure into a
[`ModelFileError`][seqkit.errors.ModelFileError].
"""

from __future__ import annotations

import contextlib
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from seqkit.errors import ModelFileError, ModelFileNotFoundError, explain
from seqkit.saving.format import ENTRIES

__all__ = ["BoundedStream", "SeqkitArchive", "check_path", "damaged", "open_archive", "refuse"]

_CHUNK = 1024 * 1024
_ALLOWED_COMPRESSION = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_FAILURES = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError,
             ValueError, NotImplementedError, RuntimeError, struct.error, OverflowError,
             KeyError, IndexError)
"""What the zip and zlib modules raise on damaged input (a corrupt deflate stream is a
``zlib.error``; an unknown compression a ``NotImplementedError``)."""


def refuse(source: Path | str, problem: str, fix: str | None = None) -> ModelFileError:
    """The one wording of every refusal: the file, what seqkit expected, what it found."""
    return ModelFileError(explain(f"load_model {str(source)!r}",
                                  expected="a .seqkit file written by seqkit",
                                  received=problem, fix=fix))


@contextlib.contextmanager
def damaged(source: Path | str, what: str) -> Iterator[None]:
    """Turns a zip, zlib or I/O failure inside the block into a ``ModelFileError``."""
    try:
        yield
    except ModelFileError:
        raise
    except _FAILURES as error:
        raise refuse(source, f"{what} ({type(error).__name__}: {error})") from None


def check_path(path: object, what: str = "load_model") -> Path:
    """``path`` as a ``Path`` to an existing regular file; anything else is refused.

    Raises:
        ModelFileNotFoundError: Nothing exists at ``path``.
        ModelFileError: ``path`` is not a ``str`` or ``os.PathLike`` of ``str`` (``None``,
            a number, ``bytes``), or names a folder, a FIFO, a device or a socket.

    Examples:
        >>> try:
        ...     check_path(b"model.seqkit")
        ... except ModelFileError as error:
        ...     print(error)
        load_model: expected a path (str or pathlib.Path) but received bytes b'model.seqkit'; \
decode it first: path.decode()
    """
    name = os.fspath(path) if isinstance(path, os.PathLike) else path
    if not isinstance(name, str) or not name:
        fix = "decode it first: path.decode()" if isinstance(name, bytes) else None
        shown = f"{type(path).__name__} {path!r}" if not isinstance(path, str) else "''"
        raise ModelFileError(explain(what, expected="a path (str or pathlib.Path)",
                                     received=shown, fix=fix))
    source = Path(name)
    try:
        mode = source.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise ModelFileNotFoundError(explain(
            what, expected="an existing file", received=f"path {name!r}, which does not exist",
            fix="check the path; model.save(path) writes the file")) from None
    except (OSError, ValueError) as error:  # permissions, a name too long, a NUL byte
        raise ModelFileError(explain(what, expected="a readable file",
                                     received=f"path {name!r} ({error})")) from None
    if not stat.S_ISREG(mode):
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        fix = "give the file inside it" if stat.S_ISDIR(mode) else None
        raise ModelFileError(explain(what, expected="a regular file",
                                     received=f"path {name!r}, which is {kind}", fix=fix))
    return source


_KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a FIFO (named pipe)",
          stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket"}


class BoundedStream:
    """Reads one zip entry, never more than ``limit`` inflated bytes.

    Examples:
        >>> import io
        >>> stream = BoundedStream(io.BytesIO(b"abcdef"), 4, "m.seqkit", "config.json")
        >>> stream.read(3)
        b'abc'
        >>> try:
        ...     stream.read(3)
        ... except ModelFileError as error:
        ...     print(str(error).split("received ")[1])
        config.json inflating past 4 bytes (whatever size the zip declares)
    """

    def __init__(self, raw: IO[bytes], limit: int, source: Path | str, entry: str) -> None:
        self._raw, self.limit, self.source, self.entry = raw, limit, source, entry
        self.taken = 0
        """Inflated bytes read so far (never more than ``limit + 1``)."""

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes (fewer only at the end of the entry)."""
        parts: list[bytes] = []
        wanted = size
        while wanted > 0:
            step = min(wanted, _CHUNK, self.limit + 1 - self.taken)
            with damaged(self.source, f"a damaged {self.entry}"):
                data = self._raw.read(step) if step > 0 else b""
            self.taken += len(data)
            if self.taken > self.limit:
                raise refuse(self.source, f"{self.entry} inflating past {self.limit} bytes "
                             "(whatever size the zip declares)")
            if not data:
                break
            parts.append(data)
            wanted -= len(data)
        return b"".join(parts)

    def read_exact(self, size: int) -> bytes:
        """Exactly ``size`` bytes, or a refusal (the entry ends early)."""
        data = self.read(size)
        if len(data) != size:
            raise refuse(self.source, f"a truncated {self.entry}")
        return data

    def read_to_end(self) -> bytes:
        """The rest of the entry (at most ``limit`` bytes in all)."""
        return self.read(self.limit + 1 - self.taken)

    def check_end(self) -> None:
        """Refuses bytes after the expected end; reaching the end checks the zip's CRC."""
        self.limit = self.taken  # one more byte is one too many
        self.read(1)


class SeqkitArchive:
    """An open, checked ``.seqkit`` zip (from
    [`open_archive`][seqkit.saving.archive.open_archive])."""

    def __init__(self, source: Path, handle: IO[bytes], archive: zipfile.ZipFile) -> None:
        self.source, self._handle, self._archive = source, handle, archive
        self.file_size = os.fstat(handle.fileno()).st_size

    def open(self, entry: str, limit: int) -> BoundedStream:
        """A bounded stream over ``entry``."""
        with damaged(self.source, f"a damaged {entry}"):
            raw = self._archive.open(entry)
        return BoundedStream(raw, limit, self.source, entry)

    def read(self, entry: str, limit: int) -> bytes:
        """All of ``entry`` (at most ``limit`` bytes; more is refused)."""
        return self.open(entry, limit).read_to_end()

    def close(self) -> None:
        self._archive.close()
        self._handle.close()


@contextlib.contextmanager
def open_archive(path: object) -> Iterator[SeqkitArchive]:
    """Opens and checks a ``.seqkit`` zip at ``path`` (see the module docstring)."""
    source = check_path(path)
    with damaged(source, "an unreadable file"):
        handle = open(source, "rb")  # noqa: SIM115 - closed by SeqkitArchive.close
    try:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # replaced since the check
            raise refuse(source, "a file that is not a regular file")
        with damaged(source, "a file that is not a zip archive (or a truncated one)"):
            if not zipfile.is_zipfile(handle):
                raise refuse(source, "a file that is not a zip archive (or a truncated one)")
            archive = zipfile.ZipFile(handle)
    except BaseException:
        handle.close()
        raise
    opened = SeqkitArchive(source, handle, archive)
    try:
        _check_entries(source, archive)
        yield opened
    finally:
        opened.close()


def _check_entries(source: Path, archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if len(names) != len(set(names)):
        repeated = sorted({name for name in names if names.count(name) > 1})
        raise refuse(source, f"entries named twice {repeated} (zip tools disagree on which "
                     "one counts)")
    if set(names) != ENTRIES:
        raise refuse(source, f"entries {sorted(names)}; only {sorted(ENTRIES)} are allowed")
    for info in infos:
        if info.flag_bits & 0x1:
            raise refuse(source, f"an encrypted {info.filename}")
        if info.compress_type not in _ALLOWED_COMPRESSION:
            raise refuse(source, f"{info.filename} compressed with method "
                         f"{info.compress_type}; only stored or deflated entries are read")
