"""Detecting a series' season length from the autocorrelation of its changes.

The changes ``y[t] - y[t-1]`` of a seasonal series correlate most with the changes one
season earlier (a trend, which dominates the autocorrelation of the levels, is gone from
them). [`detect_season`][] takes the lag with the highest autocorrelation, prefers a
divisor of it that is nearly as high (12 rather than 24 for monthly data), and answers
``None`` when no lag stands out.

Examples:
    >>> import numpy as np
    >>> t = np.arange(120)
    >>> detect_season(10 + 0.1 * t + np.sin(2 * np.pi * t / 12), max_lag=30)
    12
    >>> print(detect_season(np.random.default_rng(0).normal(size=120), max_lag=30))
    None
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqkit._checks import positive_int

__all__ = ["autocorrelation", "detect_season"]

MIN_CORRELATION = 0.3
"""The autocorrelation a lag needs to count as a season."""


def autocorrelation(series: Any, max_lag: int) -> np.ndarray:
    """The sample autocorrelation of ``series`` at lags ``0..max_lag``.

    Examples:
        >>> autocorrelation([1.0, -1.0, 1.0, -1.0, 1.0, -1.0], max_lag=2).round(2).tolist()
        [1.0, -0.83, 0.67]
    """
    values = np.asarray(series, dtype=np.float64).reshape(-1)
    max_lag = min(positive_int(max_lag, "max_lag", "autocorrelation"), len(values) - 1)
    centered = values - values.mean()
    denominator = float(np.dot(centered, centered))
    if denominator == 0.0:
        return np.concatenate([[1.0], np.zeros(max_lag)])
    return np.array([float(np.dot(centered[: len(values) - lag], centered[lag:]))
                     / denominator for lag in range(max_lag + 1)])


def detect_season(series: Any, max_lag: int) -> int | None:
    """The season length of ``series`` (2..``max_lag`` steps), or ``None`` if it has none.

    Args:
        series: A 1-D series (at least 8 values).
        max_lag: The longest season to consider (a forecaster's lookback).

    Returns:
        The lag whose autocorrelation of first differences is highest, if at least
        [`MIN_CORRELATION`][seqkit.evaluation.seasonality.MIN_CORRELATION]; a divisor of
        it with at least 80 % of that correlation wins (the shortest such).
    """
    values = np.asarray(series, dtype=np.float64).reshape(-1)
    max_lag = min(positive_int(max_lag, "max_lag", "detect_season"), len(values) // 3)
    if max_lag < 2 or len(values) < 8:
        return None
    correlation = autocorrelation(np.diff(values), max_lag)
    best = 2 + int(np.argmax(correlation[2:]))
    if correlation[best] < MIN_CORRELATION:
        return None
    for divisor in range(2, best):
        if best % divisor == 0 and correlation[divisor] >= 0.8 * correlation[best]:
            return divisor
    return best
