"""The monthly international airline passengers series, 1949-1960 (Box & Jenkins)."""

from __future__ import annotations

import numpy as np

from seqkit.datasets._shipped import read_shipped_csv

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
    rows = read_shipped_csv("airline_passengers.csv")
    months = [row["month"] for row in rows]
    passengers = np.array([float(row["passengers"]) for row in rows], dtype=np.float32)
    return months, passengers
