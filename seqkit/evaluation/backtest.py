"""Rolling-origin backtests: refit a forecaster at several past origins and score each
forecast of the following steps next to the naive baselines.

Fold ``k`` of ``folds`` trains on the series up to its origin and forecasts the next
``horizon`` steps; the origins are ``horizon`` steps apart and the last fold ends with the
series, so every forecast is scored on values its model never saw.

Examples:
    >>> import numpy as np, seqkit as sk
    >>> t = np.arange(120)
    >>> series = (10 + 0.1 * t + np.sin(2 * np.pi * t / 12)).astype("float32")
    >>> make = lambda: sk.presets.forecaster(lookback=24, units=4, members=1)
    >>> folds = backtest(make, series, horizon=12, folds=2, epochs=2)
    >>> [(fold["origin"], fold["season"]) for fold in folds]
    [(96, 12), (108, 12)]
    >>> sorted(folds[0]["scores"])  # ETS and Theta too, with statsmodels installed
    ['ets', 'model', 'naive', 'seasonal_naive', 'theta']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from seqkit._checks import positive_int
from seqkit.data.windows import windows
from seqkit.errors import InputError, explain
from seqkit.evaluation.forecasting import compare_to_baselines
from seqkit.evaluation.seasonality import detect_season
from seqkit.evaluation.statistical import has_statsmodels

__all__ = ["backtest"]


def backtest(make_model: Callable[[], Any], series: Any, horizon: int, folds: int = 3, *,
             epochs: int = 100, seed: int = 0, season_length: int | None = None,
             statistical: bool | None = None, **fit_kwargs: Any) -> list[dict[str, Any]]:
    """Fits a new model at each of ``folds`` rolling origins and scores its forecasts.

    Args:
        make_model: Returns a new, untrained forecaster (e.g. ``lambda:
            sk.presets.forecaster(lookback=24)``); it is called once per fold.
        series: The whole 1-D series (array, list, tensor or pandas Series).
        horizon: Steps forecast from each origin (``sk.forecast(model, train, horizon)``).
        folds: Origins, ``horizon`` steps apart, the last ``horizon`` steps before the end.
        epochs: Passed to ``fit``.
        seed: Passed to ``fit``.
        season_length: Season of the seasonal-naive baseline; ``None``: the model's
            (a forecaster's detected season), else detected from the training part.
        statistical: Also score ETS and Theta, fitted on each fold's training part
            ([`seqkit.evaluation.statistical`][]); ``None``: when statsmodels is installed.
        **fit_kwargs: More ``fit`` arguments.

    Returns:
        One dict per fold, oldest first: ``origin`` (the training part's length),
        ``season``, ``forecast`` and ``actual`` (arrays) and ``scores``:
        [`compare_to_baselines`][seqkit.evaluation.compare_to_baselines]' MAE, RMSE and
        MAPE of ``model``, ``naive`` and ``seasonal_naive`` (and ``ets``, ``theta``).

    Raises:
        InputError: The series is too short for ``folds`` origins and a training part of
            more than one window.
    """
    from seqkit.presets.regression import forecast  # presets build on this package

    horizon = positive_int(horizon, "horizon", "backtest")
    folds = positive_int(folds, "folds", "backtest")
    values = np.asarray(series.to_numpy() if hasattr(series, "to_numpy") else series,
                        dtype=np.float32).reshape(-1)
    if statistical is None:
        statistical = has_statsmodels()
    results = []
    for fold in range(folds):
        origin = len(values) - (folds - fold) * horizon
        model = make_model()
        lookback = int(getattr(model, "forecast_window", (1, 1))[0])
        if origin < lookback + 2:
            raise InputError(explain(
                "backtest series", expected=f"at least {lookback + 2 + folds * horizon} "
                f"values for {folds} folds of horizon {horizon} after lookback {lookback}",
                received=f"{len(values)} values", fix="use fewer folds or a shorter horizon"))
        train = values[:origin]
        x, y = windows(train, lookback=lookback)
        model.fit(x, y, epochs=epochs, seed=seed, verbose=0, **fit_kwargs)
        predicted = np.asarray(forecast(model, train, steps=horizon), dtype=np.float64)
        season = season_length or getattr(model, "season_length", None) \
            or detect_season(train, max_lag=max(2, len(train) // 3)) or 1
        actual = values[origin:origin + horizon].astype(np.float64)
        results.append({"origin": origin, "season": int(season), "forecast": predicted,
                        "actual": actual,
                        "scores": compare_to_baselines(actual, predicted, train, int(season),
                                                       statistical=bool(statistical))})
    return results
