"""Forecast accuracy (MAE, RMSE, MAPE) and the naive baselines a forecast has to beat.

A forecaster is only useful if it beats repeating the last value (*naive*) and, for
seasonal data, repeating the last season (*seasonal naive*, Hyndman & Athanasopoulos,
*Forecasting: Principles and Practice*, section 5.2). [`compare_to_baselines`][] scores
all three on the same held-out tail.

Examples:
    >>> import numpy as np
    >>> history = np.array([10.0, 20.0, 30.0, 12.0, 21.0, 33.0])
    >>> seasonal_naive_forecast(history, horizon=4, season=3).tolist()
    [12.0, 21.0, 33.0, 12.0]
    >>> mae([14.0, 22.0], [12.0, 21.0]), rmse([14.0, 22.0], [12.0, 21.0])
    (1.5, 1.5811388300841898)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from seqkit._checks import positive_int
from seqkit.errors import InputError, InputTypeError, explain
from seqkit.evaluation.statistical import ets_forecast, theta_forecast

__all__ = [
    "compare_to_baselines",
    "format_table",
    "mae",
    "mape",
    "naive_forecast",
    "rmse",
    "seasonal_naive_forecast",
]

_METRICS = ("mae", "rmse", "mape")


def naive_forecast(history: Any, horizon: int) -> np.ndarray:
    """Repeats the last observed value ``horizon`` times.

    Args:
        history: The observed series, ``(time,)`` or ``(time, features)``.
        horizon: Steps to forecast.

    Returns:
        ``(horizon,)`` or ``(horizon, features)``, float64.

    Examples:
        >>> naive_forecast([3.0, 5.0, 4.0], horizon=2).tolist()
        [4.0, 4.0]
    """
    horizon = positive_int(horizon, "horizon", "naive_forecast")
    values = _as_series(history, "naive_forecast history")
    return np.repeat(values[-1:], horizon, axis=0)


def seasonal_naive_forecast(history: Any, horizon: int, season: int) -> np.ndarray:
    """Repeats the last observed season: step ``h`` gets the value one season before it.

    For ``horizon > season`` the last season is tiled, so step ``h`` (1-based) gets
    ``history[-season + (h - 1) % season]``.

    Args:
        history: The observed series, ``(time,)`` or ``(time, features)``, at least one
            season long.
        horizon: Steps to forecast.
        season: Steps per season (12 for monthly data with a yearly pattern).

    Returns:
        ``(horizon,)`` or ``(horizon, features)``, float64.

    Examples:
        >>> seasonal_naive_forecast([1.0, 2.0, 3.0, 4.0], horizon=3, season=2).tolist()
        [3.0, 4.0, 3.0]
    """
    horizon = positive_int(horizon, "horizon", "seasonal_naive_forecast")
    season = positive_int(season, "season", "seasonal_naive_forecast")
    values = _as_series(history, "seasonal_naive_forecast history")
    if len(values) < season:
        raise InputError(explain(
            "seasonal_naive_forecast history", expected=f"at least one season ({season} steps)",
            received=f"{len(values)} steps", fix="pass a longer history or a shorter season"))
    index = len(values) - season + np.arange(horizon) % season
    return values[index]


def mae(actual: Any, forecast: Any) -> float:
    """Mean absolute error, in the units of the series.

    Examples:
        >>> mae([1.0, 2.0, 3.0], [2.0, 2.0, 1.0])
        1.0
    """
    errors = _errors(actual, forecast, "mae")[0]
    return float(np.mean(np.abs(errors)))


def rmse(actual: Any, forecast: Any) -> float:
    """Root mean squared error, in the units of the series.

    Examples:
        >>> rmse([1.0, 2.0, 3.0], [2.0, 2.0, 1.0])
        1.2909944487358056
    """
    errors = _errors(actual, forecast, "rmse")[0]
    return float(np.sqrt(np.mean(np.square(errors))))


def mape(actual: Any, forecast: Any) -> float:
    """Mean absolute percentage error, in percent (Keras' convention; torchmetrics' is a fraction).

    Steps whose actual value is zero are left out (their percentage error is undefined).

    Raises:
        InputError: Every actual value is zero.

    Examples:
        >>> mape([100.0, 0.0, 50.0], [110.0, 3.0, 45.0])
        10.0
    """
    errors, actual_values = _errors(actual, forecast, "mape")
    nonzero = actual_values != 0
    if not nonzero.any():
        raise InputError(explain(
            "mape", expected="at least one non-zero actual value",
            received=f"only zeros ({actual_values.size} values)",
            fix="percentage errors are undefined at zero; use mae or rmse for this series"))
    return float(100.0 * np.mean(np.abs(errors[nonzero] / actual_values[nonzero])))


def compare_to_baselines(actual: Any, forecast: Any, history: Any,
                         season: int, statistical: bool = False
                         ) -> dict[str, dict[str, float]]:
    """Scores a forecast of a held-out tail next to the naive and seasonal-naive baselines.

    Every baseline forecasts all ``len(actual)`` steps from ``history`` alone, as the
    model should have.

    Args:
        actual: The held-out values, ``(horizon,)`` or ``(horizon, features)``.
        forecast: The model's forecast of them, the same shape.
        history: The series before ``actual``.
        season: Steps per season, for the seasonal-naive baseline.
        statistical: Also score ETS and Theta
            ([`seqkit.evaluation.statistical`][]; needs statsmodels, one feature).

    Returns:
        ``{"model": {...}, "naive": {...}, "seasonal_naive": {...}}`` (and ``"ets"``,
        ``"theta"`` with ``statistical``), each with ``"mae"``, ``"rmse"`` and ``"mape"``
        (NaN when every actual value is zero).

    Examples:
        >>> from seqkit.datasets import airline_passengers
        >>> _, passengers = airline_passengers()
        >>> history, actual = passengers[:-12], passengers[-12:]
        >>> guess = 1.1 * passengers[-24:-12]  # last year plus 10%
        >>> results = compare_to_baselines(actual, guess, history, season=12)
        >>> round(results["seasonal_naive"]["rmse"], 2), round(results["model"]["rmse"], 2)
        (50.71, 16.56)
        >>> print(format_table(results))
        forecast            MAE    RMSE  MAPE %
        model             14.92   16.56    3.24
        naive             76.00  102.98   14.25
        seasonal_naive    47.83   50.71    9.99
    """
    actual_values = _errors(actual, forecast, "compare_to_baselines")[1]
    past = _as_series(history, "compare_to_baselines history")
    if past.shape[1:] != actual_values.shape[1:]:
        raise InputError(explain(
            "compare_to_baselines history", expected=f"the features of actual, "
            f"{actual_values.shape[1:]}", received=f"shape {past.shape}",
            fix="pass the same columns of the series as history and actual"))
    horizon = len(actual_values)
    forecasts = {
        "model": forecast,
        "naive": naive_forecast(past, horizon),
        "seasonal_naive": seasonal_naive_forecast(past, horizon, season),
    }
    if statistical:
        if past.shape[1:] not in ((), (1,)):
            raise InputError(explain("compare_to_baselines statistical=True",
                                     expected="one feature (ETS and Theta are univariate)",
                                     received=f"history of shape {past.shape}",
                                     fix="score each column on its own, or statistical=False"))
        for name, values in (("ets", ets_forecast), ("theta", theta_forecast)):
            forecasts[name] = values(past.reshape(-1), horizon, season).reshape(
                actual_values.shape)
    return {name: _scores(actual_values, values) for name, values in forecasts.items()}


def format_table(results: dict[str, dict[str, float]]) -> str:
    """Formats [`compare_to_baselines`][]' results as a small plain-text table.

    Examples:
        >>> print(format_table({"model": {"mae": 1.5, "rmse": 2.0, "mape": float("nan")}}))
        forecast      MAE    RMSE  MAPE %
        model        1.50    2.00     n/a
    """
    width = max([len("forecast"), *map(len, results)]) + 2
    lines = [f"{'forecast':<{width}}{'MAE':>7} {'RMSE':>7} {'MAPE %':>7}"]
    for name, scores in results.items():
        cells = [_number(scores.get(metric, math.nan)) for metric in _METRICS]
        lines.append(f"{name:<{width}}" + " ".join(f"{cell:>7}" for cell in cells))
    return "\n".join(lines)


def _scores(actual: np.ndarray, forecast: Any) -> dict[str, float]:
    scores = {"mae": mae(actual, forecast), "rmse": rmse(actual, forecast)}
    scores["mape"] = mape(actual, forecast) if np.any(actual != 0) else math.nan
    return scores


def _number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}"


def _errors(actual: Any, forecast: Any, owner: str) -> tuple[np.ndarray, np.ndarray]:
    """``(forecast - actual, actual)`` as float64 arrays of one shape."""
    actual_values = _as_series(actual, f"{owner} actual")
    forecast_values = _as_series(forecast, f"{owner} forecast")
    if actual_values.shape != forecast_values.shape:
        if np.squeeze(actual_values).shape != np.squeeze(forecast_values).shape:
            raise InputError(explain(
                f"{owner} forecast", expected=f"the shape of actual, {actual_values.shape}",
                received=f"shape {forecast_values.shape}",
                fix="forecast each held-out step once"))
        forecast_values = forecast_values.reshape(actual_values.shape)  # (n, 1) vs (n,)
    return forecast_values - actual_values, actual_values


def _as_series(data: Any, what: str) -> np.ndarray:
    """A finite, non-empty float64 array of 1 or 2 dimensions."""
    if hasattr(data, "detach"):  # torch tensor
        data = data.detach().cpu().numpy()
    elif hasattr(data, "to_numpy"):  # pandas, without importing it
        data = data.to_numpy()
    try:
        values = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InputTypeError(explain(what, expected="numbers",
                                     received=f"{type(data).__name__} ({error})")) from None
    if values.ndim not in (1, 2) or values.shape[0] == 0:
        raise InputError(explain(what, expected="a non-empty (time,) or (time, features) array",
                                 received=f"shape {values.shape}"))
    if not np.isfinite(values).all():
        first = np.argwhere(~np.isfinite(values))[0].tolist()
        raise InputError(explain(what, expected="finite numbers",
                                 received=f"NaN or inf (first at index {first})",
                                 fix="drop or impute missing values first"))
    return values
