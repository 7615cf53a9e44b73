"""The ``seqkit demo`` job: forecast the airline passengers series, compare to baselines.

The model is the forecaster preset as a user would write it, on the raw passenger counts:
``sk.data.windows(train, lookback=24)``, ``sk.presets.forecaster(lookback=24)``, ``fit``.
Its [`WindowNormalization`][seqkit.layers.WindowNormalization] scales every window by
its own level and spread and learns the correction to the seasonal-naive forecast, so the
growing trend carries over to the held-out years; the season (12) is detected in ``fit``,
which also stops early on the most recent training windows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqkit.data.windows import windows
from seqkit.datasets import airline_passengers
from seqkit.presets import forecaster
from seqkit.training.history import History

__all__ = ["DemoForecast", "DemoResult", "forecast_demo", "run_demo"]

SEASON = 12


@dataclass(frozen=True)
class DemoResult:
    """Test RMSEs (thousands of passengers) on the held-out months."""

    lstm_rmse: float
    seasonal_naive_rmse: float
    naive_rmse: float
    test_months: list[str]


@dataclass(frozen=True)
class DemoForecast:
    """The held-out months with the LSTM's and the baselines' forecasts (passengers)."""

    months: list[str]
    actual: np.ndarray
    lstm: np.ndarray
    seasonal_naive: np.ndarray
    naive: np.ndarray
    history: History


def forecast_demo(*, test_months: int = 24, lookback: int = 24, epochs: int = 150,
                  seed: int = 0, verbose: int = 0, validate: bool = False) -> DemoForecast:
    """Trains on all but the last ``test_months`` and forecasts them one step ahead.

    Args:
        test_months: Months held out at the end.
        lookback: Months of history per input window.
        epochs: Most training epochs (``fit`` stops early on its validation tail).
        seed: Seed for weights and shuffling.
        verbose: Passed to ``fit``.
        validate: Kept for older callers: the History always has ``val_loss``, on the
            most recent 20 % of the training windows (the held-out months are never seen).

    Returns:
        The held-out months, the actual values, the LSTM's forecast, the seasonal-naive
        (same month last year) and naive (last month) forecasts, and the training History.

    Examples:
        >>> result = forecast_demo(test_months=12, epochs=1)
        >>> result.lstm.shape, result.seasonal_naive.shape, len(result.months)
        ((12,), (12,), 12)
    """
    del validate
    months, passengers = airline_passengers()
    train = passengers[:-test_months]
    x, y = windows(train, lookback=lookback)
    model = forecaster(lookback=lookback)
    history = model.fit(x, y, epochs=epochs, verbose=verbose, seed=seed)
    every_window, _ = windows(passengers, lookback=lookback)
    one_step = model.predict(every_window[-test_months:], verbose=0)[:, 0]
    return DemoForecast(
        months=list(months[-test_months:]),
        actual=passengers[-test_months:],
        lstm=one_step.astype(np.float64),
        seasonal_naive=passengers[-test_months - SEASON:-SEASON],
        naive=passengers[-test_months - 1:-1],
        history=history,
    )


def run_demo(*, test_months: int = 24, lookback: int = 12, epochs: int = 150,
             seed: int = 0, verbose: int = 0) -> DemoResult:
    """Runs ``forecast_demo`` (same arguments) and scores its forecasts.

    Returns:
        The RMSE of the LSTM and of the seasonal-naive (same month last year) and naive
        (last month) forecasts on the same months.
    """
    result = forecast_demo(test_months=test_months, lookback=lookback, epochs=epochs,
                           seed=seed, verbose=verbose)
    return DemoResult(
        lstm_rmse=_rmse(result.lstm, result.actual),
        seasonal_naive_rmse=_rmse(result.seasonal_naive, result.actual),
        naive_rmse=_rmse(result.naive, result.actual),
        test_months=result.months,
    )


def _rmse(forecast: np.ndarray, actual: np.ndarray) -> float:
    return float(np.sqrt(np.mean((forecast - actual) ** 2)))
