"""imdb(): download, verify, cache and extract, offline against a tiny archive of the same layout.

No test touches the network: archives are built in tmp_path and served by ``file://`` URLs
or placed in the cache by hand; the one failing download goes to a closed local port.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

from seqkit.datasets import (
    ArchiveError,
    ChecksumMismatchError,
    DatasetDownloadError,
    DatasetNotFoundError,
    imdb,
)
from seqkit.datasets.imdb import IMDB_SHA256, IMDB_URL
from seqkit.errors import ConfigError

REVIEWS = {
    "aclImdb/train/pos/10_7.txt": "Great fun.",
    "aclImdb/train/pos/2_9.txt": "Loved it <br /><br />twice.",
    "aclImdb/train/neg/0_1.txt": "Dreadful.",
    "aclImdb/test/pos/0_10.txt": "Masterpiece, caf\u00e9 scene included.",
    "aclImdb/test/neg/3_2.txt": "Dull.",
    "aclImdb/test/neg/1_4.txt": "Too long.",
}
EXTRAS = {  # in the real archive too, but not labelled reviews
    "aclImdb/README": "readme",
    "aclImdb/imdb.vocab": "the\nand\n",
    "aclImdb/train/unsup/0_0.txt": "Unlabelled.",
    "aclImdb/train/urls_pos.txt": "http://example.invalid",
}
UNREACHABLE = "http://127.0.0.1:9/x.tar.gz"  # discard port, closed: refused at once


def _archive(path: Path, files: dict[str, str], links: dict[str, str] | None = None) -> str:
    """Writes a .tar.gz of ``files`` (and symlinks ``links``); returns its sha256."""
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode("utf-8")
            member = tarfile.TarInfo(name)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
        for name, target in (links or {}).items():
            member = tarfile.TarInfo(name)
            member.type, member.linkname = tarfile.SYMTYPE, target
            tar.addfile(member)
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def served(tmp_path: Path) -> tuple[str, str]:
    """``(file:// url, sha256)`` of a tiny archive with the real layout."""
    path = tmp_path / "served" / "aclImdb_v1.tar.gz"
    path.parent.mkdir()
    return path.as_uri(), _archive(path, {**REVIEWS, **EXTRAS})


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def test_downloads_verifies_and_reads_both_splits(tmp_path: Path,
                                                  served: tuple[str, str]) -> None:
    url, sha = served
    data = imdb(tmp_path / "cache", url=url, sha256=sha)
    assert set(data) == {"train", "test"}
    texts, labels = data["train"]
    assert texts == ["Dreadful.", "Loved it <br /><br />twice.", "Great fun."]  # ids 0; 2, 10
    assert labels.dtype == np.int64 and labels.tolist() == [0, 1, 1]
    texts, labels = data["test"]
    assert texts == ["Too long.", "Dull.", "Masterpiece, caf\u00e9 scene included."]
    assert labels.tolist() == [0, 0, 1]
    folder = tmp_path / "cache" / "imdb"
    served_file = tmp_path / "served" / "aclImdb_v1.tar.gz"
    assert (folder / "aclImdb_v1.tar.gz").read_bytes() == served_file.read_bytes()
    assert not [name for name in _files(folder) if ".part" in name]  # no temp files left
    assert not (folder / "aclImdb" / "train" / "unsup").exists()  # only labelled reviews


def test_cached_data_needs_no_network(tmp_path: Path, served: tuple[str, str]) -> None:
    url, sha = served
    first = imdb(tmp_path, url=url, sha256=sha)
    again = imdb(tmp_path, url=UNREACHABLE, sha256=sha, download=False)
    assert again["test"][0] == first["test"][0]
    (tmp_path / "imdb" / "aclImdb_v1.tar.gz").unlink()  # the extracted reviews suffice
    assert imdb(tmp_path, url=UNREACHABLE, sha256=sha)["train"][0] == first["train"][0]


def test_archive_placed_by_hand(tmp_path: Path) -> None:
    folder = tmp_path / "imdb"
    folder.mkdir()
    sha = _archive(folder / "aclImdb_v1.tar.gz", REVIEWS)
    data = imdb(tmp_path, url=UNREACHABLE, sha256=sha, download=False)
    assert len(data["train"][0]) == 3


def test_cache_folder_from_the_environment(tmp_path: Path, served: tuple[str, str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    url, sha = served
    monkeypatch.setenv("SEQKIT_DATA", str(tmp_path / "from-env"))
    imdb(url=url, sha256=sha)
    assert (tmp_path / "from-env" / "imdb" / "aclImdb_v1.tar.gz").is_file()


def test_default_cache_folder_is_under_home(tmp_path: Path, served: tuple[str, str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    url, sha = served
    monkeypatch.delenv("SEQKIT_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    imdb(url=url, sha256=sha)
    assert (tmp_path / "home" / ".cache" / "seqkit" / "imdb" / "aclImdb_v1.tar.gz").is_file()


def test_download_with_the_wrong_checksum_is_deleted(tmp_path: Path,
                                                     served: tuple[str, str]) -> None:
    url, sha = served
    wrong = "ab" * 32
    with pytest.raises(ChecksumMismatchError) as info:
        imdb(tmp_path, url=url, sha256=wrong)
    assert f"expected sha256 {wrong} but received sha256 {sha}" in str(info.value)
    assert "deleted" in str(info.value) and isinstance(info.value, ValueError)
    assert _files(tmp_path / "imdb") == []


def test_cached_file_with_the_wrong_checksum_is_deleted(tmp_path: Path) -> None:
    archive = tmp_path / "imdb" / "aclImdb_v1.tar.gz"
    archive.parent.mkdir()
    archive.write_bytes(b"half a download")
    actual = hashlib.sha256(b"half a download").hexdigest()
    with pytest.raises(ChecksumMismatchError, match=f"{IMDB_SHA256}.*{actual}"):
        imdb(tmp_path, download=False)
    assert not archive.exists()


def test_a_new_checksum_replaces_a_stale_extraction(tmp_path: Path,
                                                    served: tuple[str, str]) -> None:
    url, sha = served
    imdb(tmp_path, url=url, sha256=sha)
    other = tmp_path / "other.tar.gz"
    other_sha = _archive(other, {**REVIEWS, "aclImdb/test/pos/7_8.txt": "New one."})
    with pytest.raises(ChecksumMismatchError):  # the cached archive is not this one
        imdb(tmp_path, url=other.as_uri(), sha256=other_sha)
    data = imdb(tmp_path, url=other.as_uri(), sha256=other_sha)  # downloads it afresh
    assert "New one." in data["test"][0]


@pytest.mark.parametrize("name", ["aclImdb/train/pos/../../../../evil.txt", "../evil.txt",
                                  "/tmp/seqkit-evil.txt", "C:\\evil.txt"])
def test_path_traversal_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "hostile.tar.gz"
    sha = _archive(path, {**REVIEWS, name: "pwned"})  # after the good members
    with pytest.raises(ArchiveError, match=r"absolute path or '\.\.'"):
        imdb(tmp_path / "cache", url=path.as_uri(), sha256=sha)
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/seqkit-evil.txt").exists()
    assert _files(tmp_path / "cache" / "imdb") == ["aclImdb_v1.tar.gz"]  # nothing extracted


def test_links_are_not_extracted(tmp_path: Path) -> None:
    path = tmp_path / "links.tar.gz"
    sha = _archive(path, REVIEWS, links={"aclImdb/train/pos/5_9.txt": "/etc/passwd"})
    texts, _ = imdb(tmp_path / "cache", url=path.as_uri(), sha256=sha)["train"]
    assert len(texts) == 3
    assert not (tmp_path / "cache" / "imdb" / "aclImdb" / "train" / "pos" / "5_9.txt").exists()


def test_download_false_without_a_cached_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError) as info:
        imdb(tmp_path, download=False)
    message = str(info.value)
    assert str(tmp_path / "imdb" / "aclImdb_v1.tar.gz") in message and IMDB_URL in message
    assert isinstance(info.value, FileNotFoundError)


def test_unreachable_url_says_how_to_place_the_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetDownloadError) as info:
        imdb(tmp_path, url=UNREACHABLE, sha256=IMDB_SHA256)
    message = str(info.value)
    assert UNREACHABLE in message and str(tmp_path / "imdb" / "aclImdb_v1.tar.gz") in message
    assert "by hand" in message and "download=False" in message
    assert isinstance(info.value, OSError)
    assert _files(tmp_path / "imdb") == []  # the temporary file is gone


def test_wrong_layout_and_unreadable_archives(tmp_path: Path) -> None:
    partial = tmp_path / "partial.tar.gz"
    sha = _archive(partial, {k: v for k, v in REVIEWS.items() if "/test/neg/" not in k})
    with pytest.raises(ArchiveError, match="aclImdb/test/neg"):
        imdb(tmp_path / "a", url=partial.as_uri(), sha256=sha)
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not a tar file at all")
    sha = hashlib.sha256(garbage.read_bytes()).hexdigest()
    with pytest.raises(ArchiveError, match=r"a readable \.tar\.gz"):
        imdb(tmp_path / "b", url=garbage.as_uri(), sha256=sha)


@pytest.mark.parametrize("sha", ["", "abc", "g" * 64, None])
def test_malformed_checksum_is_a_config_error(tmp_path: Path, sha: object) -> None:
    with pytest.raises(ConfigError, match="64 hexadecimal digits"):
        imdb(tmp_path, sha256=sha)  # type: ignore[arg-type]


def test_defaults_point_at_the_published_archive() -> None:
    assert IMDB_URL == "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
    assert IMDB_SHA256 == "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
