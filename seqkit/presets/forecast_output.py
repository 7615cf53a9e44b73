"""What [`forecast`][seqkit.presets.forecast] answers: future-indexed pandas for pandas
history, and conformal prediction intervals from a forecaster's validation residuals.

**Intervals** (split conformal prediction): the forecaster's ``fit`` keeps the errors of
the model on its held-out validation tail (windows it was not trained on when they were
scored). The bound for a coverage ``level`` is the ``k``-th smallest of their absolute
values, ``k = ceil((n + 1) * level)``, per output step. Past the model's ``horizon`` the
forecast feeds itself back, and the width grows with the square root of the rounds (errors
of random-walk type); that part is an approximation, which the forecasting benchmark
measures.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from seqkit.errors import ConfigError, explain

__all__ = ["ForecastIntervals", "conformal_bounds", "future_index", "with_index"]


class ForecastIntervals(NamedTuple):
    """A forecast with its lower and upper bounds (arrays, or pandas Series indexed by the
    future periods), and the coverage they aim at."""

    forecast: Any
    lower: Any
    upper: Any
    level: float


def conformal_bounds(residuals: np.ndarray | None, forecast: np.ndarray, level: float,
                     horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """``(lower, upper)`` around ``forecast`` for coverage ``level`` from ``residuals``
    (``(n, horizon)``: actual minus forecast on held-out windows).

    Examples:
        >>> residuals = np.array([[-2.0], [1.0], [0.5], [-1.0], [3.0]])
        >>> lower, upper = conformal_bounds(residuals, np.array([10.0, 10.0]), 0.6, 1)
        >>> lower.round(3).tolist(), upper.round(3).tolist()
        ([8.0, 7.172], [12.0, 12.828])
    """
    if not isinstance(level, float | int) or isinstance(level, bool) or not 0 < level < 1:
        raise ConfigError(explain("forecast intervals", expected="a coverage between 0 and "
                                  "1, e.g. 0.8", received=f"intervals={level!r}"))
    if residuals is None or len(residuals) == 0:
        raise ConfigError(explain(
            "forecast intervals", expected="a forecaster fitted with a validation tail (its "
            "residuals give the intervals)", received="no validation residuals",
            fix="fit the forecaster with its default validation tail (a loaded model "
            "keeps no residuals: fit it, or forecast without intervals=)"))
    errors = np.abs(np.asarray(residuals, dtype=np.float64).reshape(len(residuals), -1))
    rank = min(len(errors), math.ceil((len(errors) + 1) * level))  # the k-th smallest
    per_step = np.sort(errors, axis=0)[rank - 1]
    steps = np.arange(len(forecast))
    width = per_step[steps % min(horizon, len(per_step))] * np.sqrt(steps // horizon + 1)
    values = np.asarray(forecast, dtype=np.float64)
    return values - width, values + width


def future_index(history: Any, steps: int) -> Any:
    """The ``steps`` periods after a pandas ``history``'s ``DatetimeIndex`` or
    ``PeriodIndex``; ``None`` for anything else (or an index without a frequency).

    Examples:
        >>> import pandas as pd
        >>> history = pd.Series([1.0, 2.0], index=pd.period_range("1960-11", periods=2,
        ...                                                         freq="M"))
        >>> [str(p) for p in future_index(history, 3)]
        ['1961-01', '1961-02', '1961-03']
    """
    index = getattr(history, "index", None)
    if index is None or not hasattr(history, "to_numpy"):
        return None
    import pandas as pd

    if isinstance(index, pd.PeriodIndex):
        return pd.period_range(index[-1] + 1, periods=steps, freq=index.freq)
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freq or (pd.infer_freq(index) if len(index) >= 3 else None)
        if freq is None:
            return None
        return pd.date_range(index[-1], periods=steps + 1, freq=freq)[1:]
    return None


def with_index(values: np.ndarray, index: Any, name: Any = None) -> Any:
    """``values`` as a pandas Series on ``index``, or unchanged when ``index`` is None."""
    if index is None:
        return values
    import pandas as pd

    return pd.Series(values, index=index, name=name)
