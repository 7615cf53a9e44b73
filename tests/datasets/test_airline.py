"""The shipped airline passengers series equals the shared reference file."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from seqkit.datasets import airline_passengers

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "airline_passengers.csv"


def test_matches_the_reference_csv() -> None:
    months, passengers = airline_passengers()
    assert len(months) == len(passengers) == 144
    assert passengers.dtype == np.float32
    if SHARED.exists():  # the shared folder sits beside the project in CI and here
        with SHARED.open() as handle:
            rows = list(csv.DictReader(handle))
        assert months == [row["month"] for row in rows]
        assert passengers.tolist() == [float(row["passengers"]) for row in rows]
    assert (months[0], months[-1]) == ("1949-01", "1960-12")
    assert (passengers[0], passengers[-1]) == (112.0, 432.0)
