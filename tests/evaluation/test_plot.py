"""sk.plot_forecast: history, forecast, interval band and held-out values in one Axes."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd

import seqkit as sk
from seqkit.presets.forecast_output import ForecastIntervals

matplotlib.use("Agg")


def test_plot_with_pandas_periods_and_intervals() -> None:
    index = pd.period_range("2000-01", periods=30, freq="M")
    history = pd.Series(np.arange(24.0), index=index[:24])
    mean = pd.Series(np.arange(24.0, 30.0), index=index[24:])
    bounds = ForecastIntervals(mean, mean - 1, mean + 1, 0.8)
    ax = sk.plot_forecast(history, bounds, actual=mean + 0.5, title="demo", history_steps=12)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["history", "forecast", "actual"]
    assert len(ax.get_lines()[0].get_xdata()) == 12
    assert len(ax.collections) == 1  # the interval band
    assert ax.get_title() == "demo"
    assert "80% interval" in [t.get_text() for t in ax.get_legend().get_texts()]
    np.testing.assert_allclose(ax.get_lines()[2].get_ydata(), mean.to_numpy() + 0.5)
