"""Evaluation: forecast accuracy metrics, the naive baselines every forecast must beat,
rolling-origin backtests, season detection and a forecast plot."""

from seqkit.evaluation.backtest import backtest
from seqkit.evaluation.forecasting import (
    compare_to_baselines,
    format_table,
    mae,
    mape,
    naive_forecast,
    rmse,
    seasonal_naive_forecast,
)
from seqkit.evaluation.plot import plot_forecast
from seqkit.evaluation.seasonality import autocorrelation, detect_season

__all__ = [
    "autocorrelation",
    "backtest",
    "compare_to_baselines",
    "detect_season",
    "format_table",
    "mae",
    "mape",
    "naive_forecast",
    "plot_forecast",
    "rmse",
    "seasonal_naive_forecast",
]
