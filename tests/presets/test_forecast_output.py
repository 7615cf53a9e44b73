"""sk.forecast's outputs: future-indexed pandas for pandas history, conformal intervals
(their coverage on data with known noise) and their refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import seqkit as sk
from seqkit.errors import ConfigError
from seqkit.presets.forecast_output import conformal_bounds


def _noisy(n: int, seed: int = 0) -> np.ndarray:
    t = np.arange(n)
    noise = np.random.default_rng(seed).normal(size=n)
    return (20 + 3 * np.sin(2 * np.pi * t / 6) + noise).astype(np.float32)


def test_conformal_bounds_cover_new_draws_of_the_same_noise() -> None:
    rng = np.random.default_rng(0)
    residuals = rng.normal(size=(400, 1))
    lower, upper = conformal_bounds(residuals, np.zeros(5000), 0.8, horizon=5000)
    fresh = rng.normal(size=5000)
    coverage = float(np.mean((fresh >= lower) & (fresh <= upper)))
    assert 0.77 < coverage < 0.84
    assert upper[0] == pytest.approx(1.2816, abs=0.1)  # the normal's 90 % quantile


@pytest.fixture(scope="module")
def fitted() -> tuple[sk.Sequential, np.ndarray]:
    series = _noisy(260)
    x, y = sk.data.windows(series[:200], lookback=12)
    model = sk.presets.forecaster(lookback=12, units=8, members=1)
    model.fit(x, y, epochs=30, verbose=0, seed=0)
    return model, series


def test_one_step_intervals_cover_about_their_level(fitted: tuple) -> None:
    model, series = fitted
    hits = []
    for end in range(200, 260):
        result = sk.forecast(model, series[:end], steps=1, intervals=0.8)
        hits.append(result.lower[0] <= series[end] <= result.upper[0])
        assert result.level == 0.8 and result.lower[0] < result.forecast[0] < result.upper[0]
    assert 0.6 <= float(np.mean(hits)) <= 0.97


def test_pandas_history_gives_forecasts_on_the_next_periods(fitted: tuple) -> None:
    model, series = fitted
    monthly = pd.Series(series[:200], index=pd.date_range("2000-01-31", periods=200,
                                                           freq="ME"), name="sales")
    out = sk.forecast(model, monthly, steps=3)
    assert isinstance(out, pd.Series) and out.name == "sales"
    assert list(out.index) == list(pd.date_range("2016-09-30", periods=3, freq="ME"))
    quarters = pd.Series(series[:200], index=pd.period_range("1960Q1", periods=200,
                                                             freq="Q"))
    bounds = sk.forecast(model, quarters, steps=2, intervals=0.9)
    assert [str(p) for p in bounds.upper.index] == ["2010Q1", "2010Q2"]
    np.testing.assert_allclose(bounds.forecast.to_numpy(), out.to_numpy()[:2], rtol=1e-6)
    assert isinstance(sk.forecast(model, list(series[:200]), steps=2), np.ndarray)
    wider = sk.forecast(model, quarters, steps=2, intervals=0.5)
    assert (wider.upper <= bounds.upper).all()


def test_intervals_are_refused_without_residuals_or_with_a_bad_level(fitted: tuple) -> None:
    model, series = fitted
    with pytest.raises(ConfigError, match="between 0 and 1"):
        sk.forecast(model, series, steps=2, intervals=1.5)
    bare = sk.presets.forecaster(lookback=12, units=4, members=1)
    bare.validation_tail = 0
    x, y = sk.data.windows(series[:100], lookback=12)
    bare.fit(x, y, epochs=1, verbose=0, seed=0)
    with pytest.raises(ConfigError, match="fit the forecaster with its default validation"):
        sk.forecast(bare, series, steps=2, intervals=0.8)
