"""ETS and Theta: the statistical baselines a forecaster must beat (statsmodels, optional).

[`ets_forecast`][seqkit.evaluation.statistical.ets_forecast] fits statsmodels'
Holt-Winters ``ExponentialSmoothing`` with an additive trend, damped or not, and an
additive or (for positive series) multiplicative season, and keeps the lowest AIC;
[`theta_forecast`][seqkit.evaluation.statistical.theta_forecast] is statsmodels'
``ThetaModel`` (multiplicative deseasonalizing for positive series). Both need the
``bench`` extra (``pip install "seqkit[bench]"``, or ``pip install statsmodels``);
[`statistical_baselines`][seqkit.evaluation.statistical.statistical_baselines] gives
both when statsmodels is installed and nothing when it is not.
"""

from __future__ import annotations

import importlib.util
import warnings
from typing import Any

import numpy as np

from seqkit.errors import ConfigError, explain

__all__ = ["ets_fit", "ets_forecast", "has_statsmodels", "statistical_baselines",
           "theta_fit", "theta_forecast"]


def has_statsmodels() -> bool:
    """Whether statsmodels can be imported (the ETS and Theta baselines need it)."""
    return importlib.util.find_spec("statsmodels") is not None


def _require() -> None:
    if not has_statsmodels():
        raise ConfigError(explain("ETS / Theta baselines", expected="statsmodels installed",
                                  received="no statsmodels",
                                  fix='pip install "seqkit[bench]" (or statsmodels)'))


def ets_fit(history: Any, season: int) -> Any:
    """The lowest-AIC Holt-Winters fit of ``history`` (statsmodels results), or ``None``
    when no variant fits (e.g. a series shorter than two seasons)."""
    _require()
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    values = np.asarray(history, dtype=np.float64).reshape(-1)
    best = None
    seasonal_options = ("add", "mul") if season > 1 and len(values) >= 2 * season else ()
    for damped in (False, True):
        for seasonal in seasonal_options or (None,):
            if seasonal == "mul" and values.min() <= 0:
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fit = ExponentialSmoothing(
                        values, trend="add", damped_trend=damped, seasonal=seasonal,
                        seasonal_periods=season if seasonal else None,
                        initialization_method="estimated").fit()
            except (ValueError, np.linalg.LinAlgError):
                continue
            if np.isfinite(fit.aic) and (best is None or fit.aic < best.aic):
                best = fit
    return best


def theta_fit(history: Any, season: int) -> Any:
    """statsmodels' ``ThetaModel`` fitted on ``history`` (multiplicative for positive
    series)."""
    _require()
    from statsmodels.tsa.forecasting.theta import ThetaModel

    values = np.asarray(history, dtype=np.float64).reshape(-1)
    method = "multiplicative" if values.min() > 0 else "additive"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ThetaModel(values, period=max(season, 1), method=method,
                          deseasonalize=season > 1 and len(values) >= 2 * season).fit()


def ets_forecast(history: Any, steps: int, season: int) -> np.ndarray:
    """ETS's forecast of the ``steps`` values after ``history``.

    Examples:
        >>> import numpy as np
        >>> t = np.arange(96)
        >>> series = 100 + t + 10 * np.sin(2 * np.pi * t / 12)
        >>> forecast = ets_forecast(series, steps=12, season=12)
        >>> future = 100 + np.arange(96, 108) + 10 * np.sin(2 * np.pi * np.arange(96, 108) / 12)
        >>> bool(np.abs(forecast - future).max() < 1.0)
        True
    """
    fit = ets_fit(history, season)
    if fit is None:
        return np.full(steps, np.nan)
    return np.asarray(fit.forecast(steps), dtype=np.float64)


def theta_forecast(history: Any, steps: int, season: int) -> np.ndarray:
    """Theta's forecast of the ``steps`` values after ``history``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(theta_fit(history, season).forecast(steps), dtype=np.float64)


def statistical_baselines(history: Any, steps: int, season: int) -> dict[str, np.ndarray]:
    """``{"ets": ..., "theta": ...}`` forecasts of ``steps`` values after ``history``, or
    ``{}`` without statsmodels."""
    if not has_statsmodels():
        return {}
    return {"ets": ets_forecast(history, steps, season),
            "theta": theta_forecast(history, steps, season)}
