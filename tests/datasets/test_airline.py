"""The shipped airline passengers series: Box & Jenkins' figures, read exactly."""

from __future__ import annotations

import numpy as np

from seqkit.datasets import airline_passengers

# Box & Jenkins' Series G, first and last years (thousands of passengers).
FIRST_YEAR = [112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118]
LAST_YEAR = [417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432]


def test_matches_the_published_series() -> None:
    months, passengers = airline_passengers()
    assert len(months) == len(passengers) == 144
    assert passengers.dtype == np.float32
    assert months[:2] == ["1949-01", "1949-02"] and months[-1] == "1960-12"
    assert months == [f"{1949 + i // 12}-{i % 12 + 1:02d}" for i in range(144)]
    assert passengers[:12].tolist() == FIRST_YEAR
    assert passengers[-12:].tolist() == LAST_YEAR
    assert float(passengers.sum()) == 40363.0
