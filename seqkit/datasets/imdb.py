"""The IMDB movie review sentiment data set (Maas et al., ACL 2011), downloaded and cached.

The archive (``aclImdb_v1.tar.gz``, 84,125,825 bytes) is fetched once from Stanford with
``urllib``, checked against its published SHA-256, renamed into place atomically, and only
the labelled reviews (``aclImdb/{train,test}/{pos,neg}/*.txt``) are extracted, after every
member name in the archive has been checked for path traversal.

The cache folder is ``cache_dir`` if given, else the ``SEQKIT_DATA`` environment variable,
else ``~/.cache/seqkit``; the files go to ``<cache>/imdb/``. Offline machines can place the
archive there by hand (``<cache>/imdb/aclImdb_v1.tar.gz``) and call ``imdb(download=False)``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import tarfile
import tempfile
import urllib.request
import zlib
from pathlib import Path, PurePosixPath, PureWindowsPath

import numpy as np

from seqkit._checks import boolean
from seqkit.errors import (
    ArchiveError,
    ChecksumMismatchError,
    ConfigError,
    DatasetDownloadError,
    DatasetNotFoundError,
    explain,
)

__all__ = [
    "IMDB_SHA256",
    "IMDB_URL",
    "ArchiveError",
    "ChecksumMismatchError",
    "DatasetDownloadError",
    "DatasetNotFoundError",
    "imdb",
]

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
#: SHA-256 of aclImdb_v1.tar.gz as published in TensorFlow Datasets' url_checksums/imdb_reviews.txt.
IMDB_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"

_ARCHIVE = "aclImdb_v1.tar.gz"
_ROOT = "aclImdb"
_SPLITS = ("train", "test")
_LABELS = (("neg", 0), ("pos", 1))
_MARKER = ".seqkit-sha256"  # written last: its presence means a complete extraction
_TIMEOUT_S = 60.0


def imdb(cache_dir: str | os.PathLike[str] | None = None, *, download: bool = True,
         url: str = IMDB_URL, sha256: str = IMDB_SHA256
         ) -> dict[str, tuple[list[str], np.ndarray]]:
    """Loads the 50,000 labelled IMDB reviews, downloading and caching them the first time.

    Args:
        cache_dir: The cache folder. Default: ``$SEQKIT_DATA``, else ``~/.cache/seqkit``.
        download: Whether to download the archive when it is not cached.
        url: Where to download it from (any URL ``urllib`` opens, ``file://`` included).
        sha256: The archive's expected SHA-256; pass the matching one with your own ``url``.

    Returns:
        ``{"train": (texts, labels), "test": (texts, labels)}``, 25,000 reviews each: the raw
        review strings (with their ``<br />`` tags) and an int64 array, 0 for negative and
        1 for positive. Negative reviews come first: shuffle before training.

    Raises:
        DatasetDownloadError: The download failed (the message says the URL, the cache path
            and how to place the file by hand).
        DatasetNotFoundError: ``download=False`` and nothing is cached.
        ChecksumMismatchError: The archive's SHA-256 is not ``sha256``; the file is deleted.
        ArchiveError: The archive is unreadable, has a member with an absolute path or
            ``..``, or lacks ``aclImdb/{train,test}/{pos,neg}``.

    Examples:
        A tiny archive of the same layout, served from a ``file://`` URL (with the default
        arguments this downloads the real 84 MB archive):

        >>> import hashlib, io, shutil, tarfile, tempfile
        >>> from pathlib import Path
        >>> folder = Path(tempfile.mkdtemp())
        >>> with tarfile.open(folder / "mini.tar.gz", "w:gz") as tar:
        ...     for name in ["train/pos/0_9", "train/neg/0_2", "test/pos/0_8", "test/neg/0_1"]:
        ...         text = f"A {name.split('/')[1]} review.".encode()
        ...         member = tarfile.TarInfo(f"aclImdb/{name}.txt")
        ...         member.size = len(text)
        ...         tar.addfile(member, io.BytesIO(text))
        >>> archive = folder / "mini.tar.gz"
        >>> digest = hashlib.sha256(archive.read_bytes()).hexdigest()
        >>> data = imdb(folder / "cache", url=archive.as_uri(), sha256=digest)
        >>> texts, labels = data["train"]
        >>> texts, labels.tolist()
        (['A neg review.', 'A pos review.'], [0, 1])
        >>> shutil.rmtree(folder)
    """
    if not isinstance(sha256, str) or not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise ConfigError(explain("imdb sha256", expected="64 hexadecimal digits",
                                  received=f"sha256={sha256!r}"))
    sha256 = sha256.lower()
    download = boolean(download, "download", "imdb")
    folder = _data_home(cache_dir) / "imdb"
    extracted = folder / _ROOT
    if not _is_extracted(extracted, sha256):
        archive = folder / _ARCHIVE
        if archive.is_file():
            _verify(archive, sha256)
        elif download:
            _download(url, archive, sha256)
        else:
            raise DatasetNotFoundError(explain(
                "imdb", expected=f"the archive cached at {archive}",
                received="download=False and no such file",
                fix=f"download {url} and place it at that path, or pass download=True"))
        _extract(archive, extracted, sha256)
    return {split: _read_split(extracted / split) for split in _SPLITS}


def _data_home(cache_dir: str | os.PathLike[str] | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    from_env = os.environ.get("SEQKIT_DATA")
    return Path(from_env).expanduser() if from_env else Path.home() / ".cache" / "seqkit"


def _download(url: str, archive: Path, sha256: str) -> None:
    """Streams ``url`` to a temporary file beside ``archive``, verifies it, renames it."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=archive.parent, prefix=f".{archive.name}.",
                                    suffix=".part")
    temp = Path(name)
    digest = hashlib.sha256()
    try:
        try:
            with os.fdopen(handle, "wb") as out, \
                    urllib.request.urlopen(url, timeout=_TIMEOUT_S) as response:
                while chunk := response.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
        except (OSError, ValueError) as error:  # URLError, HTTPError, timeouts; bad URLs
            raise DatasetDownloadError(explain(
                "imdb download", expected=f"the archive from {url}",
                received=f"{type(error).__name__}: {error}",
                fix=f"check the network and retry, or download the file by hand and place "
                f"it at {archive} (cache folder: cache_dir=, else $SEQKIT_DATA, else "
                f"~/.cache/seqkit), then call imdb(download=False)")) from error
        if digest.hexdigest() != sha256:
            raise _mismatch(sha256, digest.hexdigest(), f"the download from {url}")
        os.replace(temp, archive)
    finally:
        temp.unlink(missing_ok=True)


def _verify(archive: Path, sha256: str) -> None:
    """Checks a cached archive, deleting it when its SHA-256 is wrong."""
    digest = hashlib.sha256()
    with archive.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        archive.unlink()
        raise _mismatch(sha256, digest.hexdigest(), f"the cached file {archive}")


def _mismatch(expected: str, actual: str, source: str) -> ChecksumMismatchError:
    return ChecksumMismatchError(explain(
        "imdb archive", expected=f"sha256 {expected}", received=f"sha256 {actual} for {source}",
        fix="the file was deleted; it was truncated or altered, so download it again (with "
        "your own url=, pass that file's sha256= too)"))


def _extract(archive: Path, extracted: Path, sha256: str) -> None:
    """Extracts the labelled reviews into a temporary folder, then renames it into place."""
    temp = Path(tempfile.mkdtemp(dir=extracted.parent, prefix=f".{_ROOT}.", suffix=".part"))
    try:
        try:
            with tarfile.open(archive, "r:*") as tar:
                for member in tar:
                    parts = _safe_parts(member.name, archive)
                    if member.isfile() and _is_review(parts):  # links and devices are skipped
                        _write_member(tar, member, temp.joinpath(*parts))
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
            raise ArchiveError(explain(
                "imdb archive", expected="a readable .tar.gz", received=f"{archive} ({error})",
                fix="delete it and download it again")) from error
        _check_layout(temp / _ROOT, archive)
        (temp / _ROOT / _MARKER).write_text(sha256, encoding="ascii")
        if extracted.exists():  # from another archive (a different sha256)
            shutil.rmtree(extracted)
        try:
            os.replace(temp / _ROOT, extracted)
        except OSError:
            if not _is_extracted(extracted, sha256):  # else another process just finished
                raise
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _safe_parts(name: str, archive: Path) -> tuple[str, ...]:
    """A member's path parts, refusing absolute paths and ``..`` (path traversal)."""
    path = PurePosixPath(name)
    windows = PureWindowsPath(name)
    if path.is_absolute() or windows.is_absolute() or windows.drive or ".." in windows.parts:
        raise ArchiveError(explain(
            "imdb archive member", expected="a relative path inside the archive folder",
            received=f"{name!r} (an absolute path or '..') in {archive}",
            fix="the archive is damaged or hostile; nothing was extracted; delete it"))
    return path.parts


def _is_review(parts: tuple[str, ...]) -> bool:
    labels = {label for label, _ in _LABELS}
    return (len(parts) == 4 and parts[0] == _ROOT and parts[1] in _SPLITS
            and parts[2] in labels and parts[3].endswith(".txt"))


def _write_member(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    source = tar.extractfile(member)
    if source is None:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with source, target.open("wb") as out:
        shutil.copyfileobj(source, out)


def _check_layout(root: Path, archive: Path) -> None:
    for split in _SPLITS:
        for label, _ in _LABELS:
            if not (root / split / label).is_dir():
                raise ArchiveError(explain(
                    "imdb archive", expected=f"reviews in {_ROOT}/{split}/{label}/*.txt",
                    received=f"{archive} without them",
                    fix="check that url= points to aclImdb_v1.tar.gz"))


def _is_extracted(extracted: Path, sha256: str) -> bool:
    marker = extracted / _MARKER
    return marker.is_file() and marker.read_text(encoding="ascii").strip() == sha256


def _read_split(folder: Path) -> tuple[list[str], np.ndarray]:
    texts: list[str] = []
    labels: list[int] = []
    for name, label in _LABELS:
        files = sorted((folder / name).glob("*.txt"), key=_review_order)
        texts += [file.read_text(encoding="utf-8", errors="replace") for file in files]
        labels += [label] * len(files)
    return texts, np.array(labels, dtype=np.int64)


def _review_order(path: Path) -> tuple[int, int, str]:
    """Files are ``<id>_<rating>.txt``: order by id as a number."""
    head = path.stem.split("_")[0]
    return (0, int(head), path.name) if head.isdigit() else (1, 0, path.name)
