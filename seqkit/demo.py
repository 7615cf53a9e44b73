"""The ``seqkit demo`` job: forecast the airline passengers series, compare to baselines.

The model forecasts one month ahead from the previous 12 months. It learns the
*seasonal log-difference* ``log(y[t]) - log(y[t-12])`` (growth against the same month a
year earlier), which removes the trend and the seasonality an LSTM cannot extrapolate
beyond its training range; forecasts are turned back into passengers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqkit.datasets import airline_passengers
from seqkit.layers import LSTM, Dense
from seqkit.models import Sequential
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


def _windows(series: np.ndarray, lookback: int) -> tuple[np.ndarray, np.ndarray]:
    x = np.lib.stride_tricks.sliding_window_view(series[:-1], lookback)[..., None]
    return np.ascontiguousarray(x, dtype=np.float32), series[lookback:].astype(np.float32)


@dataclass(frozen=True)
class DemoForecast:
    """The held-out months with the LSTM's and the baselines' forecasts (passengers)."""

    months: list[str]
    actual: np.ndarray
    lstm: np.ndarray
    seasonal_naive: np.ndarray
    naive: np.ndarray
    history: History


def forecast_demo(*, test_months: int = 24, lookback: int = 12, epochs: int = 150,
                  seed: int = 0, verbose: int = 0, validate: bool = False) -> DemoForecast:
    """Trains on all but the last ``test_months`` and forecasts them one step ahead.

    Args:
        test_months: Months held out at the end.
        lookback: Months of history per input window.
        epochs: Training epochs.
        seed: Seed for weights and shuffling.
        verbose: Passed to ``fit``.
        validate: Also score the held-out months after every epoch (``val_loss`` in the
            History; they are never trained on).

    Returns:
        The held-out months, the actual values, the LSTM's forecast, the seasonal-naive
        (same month last year) and naive (last month) forecasts, and the training History.

    Examples:
        >>> result = forecast_demo(test_months=12, epochs=1)
        >>> result.lstm.shape, result.seasonal_naive.shape, len(result.months)
        ((12,), (12,), 12)
    """
    months, passengers = airline_passengers()
    log_series = np.log(passengers)
    growth = log_series[SEASON:] - log_series[:-SEASON]  # growth[k] is month k + 12
    train_growth = growth[:-test_months]
    mean, std = float(train_growth.mean()), float(train_growth.std())
    x, y = _windows((growth - mean) / std, lookback)
    n_train = len(y) - test_months

    model = Sequential([LSTM(32), Dense(1)], loss="mse", metrics=["mae"], lr=1e-2)
    held_out = (x[n_train:], y[n_train:]) if validate else None
    history = model.fit(x[:n_train], y[:n_train], epochs=epochs, batch_size=16,
                        verbose=verbose, seed=seed, validation_data=held_out)
    predicted_growth = model.predict(x[n_train:])[:, 0] * std + mean
    same_month_last_year = passengers[-test_months - SEASON:-SEASON]
    return DemoForecast(
        months=list(months[-test_months:]),
        actual=passengers[-test_months:],
        lstm=same_month_last_year * np.exp(predicted_growth),
        seasonal_naive=same_month_last_year,
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
