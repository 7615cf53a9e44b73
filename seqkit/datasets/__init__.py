"""Data sets: small ones shipped inside the package, larger ones downloaded and cached."""

from seqkit.datasets.airline import airline_passengers
from seqkit.datasets.imdb import (
    ArchiveError,
    ChecksumMismatchError,
    DatasetDownloadError,
    DatasetNotFoundError,
    imdb,
)

__all__ = [
    "ArchiveError",
    "ChecksumMismatchError",
    "DatasetDownloadError",
    "DatasetNotFoundError",
    "airline_passengers",
    "imdb",
]
