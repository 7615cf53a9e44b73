"""Covariates: windows appends past-observed and (led by the horizon) known-future
columns, forecast feeds them, misaligned ones are refused with the fix."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.errors import InputError


def test_windows_append_past_and_led_future_columns() -> None:
    series = np.arange(10.0)
    past = 100 + np.arange(10.0)
    future = np.stack([1000 + np.arange(10.0), -np.arange(10.0)], axis=1)
    x, y = sk.data.windows(series, lookback=3, horizon=2, covariates=past,
                           future_covariates=future)
    assert x.shape == (6, 3, 4) and y.shape == (6, 2)
    for i in range(6):
        np.testing.assert_array_equal(x[i, :, 0], series[i:i + 3])
        np.testing.assert_array_equal(x[i, :, 1], past[i:i + 3])
        np.testing.assert_array_equal(x[i, :, 2:], future[i + 2:i + 5])  # led by horizon 2
        np.testing.assert_array_equal(y[i], series[i + 3:i + 5])
    # The window's last row holds the future covariate at the last step forecast.
    np.testing.assert_array_equal(x[:, -1, 2], 1000 + np.arange(6) + 4)
    tensors, _ = sk.data.windows(torch.tensor(series), lookback=3, horizon=2,
                                 covariates=past, future_covariates=future)
    np.testing.assert_array_equal(tensors.numpy(), x)
    many, _ = sk.data.windows([series, series], lookback=3, horizon=2,
                              covariates=[past, past], future_covariates=[future, future])
    np.testing.assert_array_equal(many, np.concatenate([x, x]))


def test_misaligned_covariates_are_refused_with_the_fix() -> None:
    series = np.arange(10.0)
    with pytest.raises(InputError, match=r"10 rows .*align the covariates"):
        sk.data.windows(series, lookback=3, covariates=np.arange(9.0))
    with pytest.raises(InputError, match="NaN or inf at time step 4"):
        sk.data.windows(series, lookback=3, future_covariates=np.r_[np.zeros(4), np.nan,
                                                                     np.zeros(5)])
    with pytest.raises(InputError, match="one per series"):
        sk.data.windows([series, series], lookback=3, covariates=np.arange(10.0))


def _flagged(n: int = 240, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    flag = (rng.random(n) < 0.2).astype(np.float32)  # known in advance (a promotion)
    t = np.arange(n)
    series = 20 + 2 * np.sin(2 * np.pi * t / 6) + 8 * flag + rng.normal(scale=0.2, size=n)
    return series.astype(np.float32), flag


def test_forecaster_uses_a_known_future_covariate() -> None:
    series, flag = _flagged()
    train, test = series[:-12], series[-12:]
    errors = {}
    for use in (False, True):
        fc = flag[:-12] if use else None
        x, y = sk.data.windows(train, lookback=12, future_covariates=fc)
        model = sk.presets.forecaster(lookback=12, units=16, members=1, season_length=6)
        model.fit(x, y, epochs=60, verbose=0, seed=0)
        result = sk.forecast(model, train, steps=12,
                             future_covariates=flag if use else None)
        errors[use] = float(np.sqrt(np.mean((np.asarray(result) - test) ** 2)))
    assert errors[True] < 0.8 * errors[False]  # the flag explains spikes (0.70 measured)


def test_forecast_refuses_past_covariates_beyond_the_horizon_and_wrong_columns() -> None:
    series, flag = _flagged(80)
    x, y = sk.data.windows(series, lookback=12, covariates=flag)
    model = sk.presets.forecaster(lookback=12, units=4, members=1, season_length=6)
    model.fit(x, y, epochs=1, verbose=0, seed=0)
    assert np.asarray(sk.forecast(model, series, steps=1, covariates=flag)).shape == (1,)
    with pytest.raises(InputError, match="steps <= the model's horizon=1"):
        sk.forecast(model, series, steps=3, covariates=flag)
    with pytest.raises(InputError, match="1 covariate column"):
        sk.forecast(model, series, steps=1, covariates=np.stack([flag, flag], axis=1))
    with pytest.raises(InputError, match="at least 83 rows"):
        sk.forecast(model, series, steps=3, future_covariates=flag)
