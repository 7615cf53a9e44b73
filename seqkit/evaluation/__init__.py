"""Evaluation: forecast accuracy metrics and the naive baselines every forecast must beat."""

from seqkit.evaluation.forecasting import (
    compare_to_baselines,
    format_table,
    mae,
    mape,
    naive_forecast,
    rmse,
    seasonal_naive_forecast,
)

__all__ = [
    "compare_to_baselines",
    "format_table",
    "mae",
    "mape",
    "naive_forecast",
    "rmse",
    "seasonal_naive_forecast",
]
