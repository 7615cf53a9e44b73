"""Reading the CSV files shipped inside the package (``seqkit/datasets/data/``)."""

from __future__ import annotations

import csv
from importlib import resources

__all__ = ["read_shipped_csv"]


def read_shipped_csv(name: str) -> list[dict[str, str]]:
    """The rows of ``seqkit/datasets/data/<name>`` as dicts keyed by the header.

    Examples:
        >>> read_shipped_csv("airline_passengers.csv")[0]
        {'month': '1949-01', 'passengers': '112'}
    """
    source = resources.files("seqkit.datasets").joinpath("data", name)
    with source.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
