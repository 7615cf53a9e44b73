"""Data sets: small ones shipped inside the package, larger ones downloaded and cached."""

from seqkit.datasets.airline import airline_passengers
from seqkit.datasets.imdb import imdb
from seqkit.datasets.quotes import QUOTE_TOPICS, quotes_by_topic
from seqkit.datasets.text_csv import read_text_csv
from seqkit.errors import (  # also here, beside the loaders that raise them
    ArchiveError,
    ChecksumMismatchError,
    DatasetDownloadError,
    DatasetNotFoundError,
)

__all__ = [
    "QUOTE_TOPICS",
    "ArchiveError",
    "ChecksumMismatchError",
    "DatasetDownloadError",
    "DatasetNotFoundError",
    "airline_passengers",
    "imdb",
    "quotes_by_topic",
    "read_text_csv",
]
