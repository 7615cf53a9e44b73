"""The monthly international airline passengers series, 1949-1960 (Box & Jenkins)."""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np

__all__ = ["airline_passengers"]


def airline_passengers() -> tuple[list[str], np.ndarray]:
    """Monthly totals of international airline passengers, in thousands.

    The classic series from Box & Jenkins' *Time Series Analysis* (R's ``AirPassengers``):
    144 months, January 1949 to December 1960, with trend and yearly seasonality. Shipped
    with seqkit, so it needs no network.

    Returns:
        ``(months, passengers)``: ``"YYYY-MM"`` strings and a float32 array of 144 values.

    Examples:
        >>> months, passengers = airline_passengers()
        >>> months[0], float(passengers[0]), len(passengers)
        ('1949-01', 112.0, 144)
    """
    text = resources.files("seqkit.datasets").joinpath("data/airline_passengers.csv")
    with text.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    months = [row["month"] for row in rows]
    passengers = np.array([float(row["passengers"]) for row in rows], dtype=np.float32)
    return months, passengers
