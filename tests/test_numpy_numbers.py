"""numpy numbers are numbers: ``np.float32(0.2)`` is accepted wherever ``0.2`` is (rates,
fractions, learning rates), and stored as a Python float, while numpy NaN and ``np.bool_``
are still refused."""

from __future__ import annotations

import numpy as np
import pytest

import seqkit as sk
from seqkit.errors import ConfigError


@pytest.mark.parametrize("number", [np.float32(0.2), np.float16(0.2), np.float64(0.2)])
def test_numpy_floats_pass_the_rate_and_learning_rate_checks(number: np.floating) -> None:
    model = sk.Sequential([sk.LSTM(4, dropout=number), sk.Dropout(number), sk.Dense(1)],
                          loss="mse", lr=number * 0.01, weight_decay=number)
    assert model.layers[1].rate == pytest.approx(0.2, rel=1e-3)
    assert type(model.layers[1].rate) is float
    x = np.random.default_rng(0).random((8, 3, 2), dtype=np.float32)
    history = model.fit(x, x[:, -1, :1], epochs=1, verbose=0, validation_split=number)
    assert "val_loss" in history.history
    sk.Masking(np.float32(0.0))
    sk.BatchNormalization(momentum=np.float32(0.9), epsilon=np.float32(1e-3))


@pytest.mark.parametrize("bad", [np.float32("nan"), np.bool_(True), np.float32(1.0)])
def test_numpy_nan_bool_and_out_of_range_are_still_refused(bad: object) -> None:
    with pytest.raises(ConfigError, match="rate"):
        sk.Dropout(bad)
    with pytest.raises(ConfigError, match="lr"):
        sk.Sequential([sk.Dense(1)], loss="mse", lr=bad if bad != 1.0 else np.float32(-1))
