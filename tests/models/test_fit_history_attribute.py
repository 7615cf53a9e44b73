"""``model.history`` is the History of the latest fit (Keras's attribute), and fit's
``stop_on_nan`` argument is checked."""

from __future__ import annotations

import numpy as np
import pytest

import seqkit as sk


def test_model_history_is_the_latest_fits() -> None:
    x = np.linspace(0, 1, 48, dtype="float32").reshape(8, 3, 2)
    y = x[:, -1, 0]
    model = sk.Sequential([sk.Input((3, 2)), sk.GRU(2), sk.Dense(1)], loss="mse")
    assert not hasattr(model, "history")
    first = model.fit(x, y, epochs=2, verbose=0)
    assert model.history is first and first.epoch == [0, 1]
    second = model.fit(x, y, epochs=1, verbose=0)
    assert model.history is second and second is not first and second.epoch == [0]
    assert len(model.history.history["loss"]) == 1


@pytest.mark.parametrize("value", ["no", 1, None])
def test_stop_on_nan_takes_a_bool(value: object) -> None:
    model = sk.Sequential([sk.Input((3, 2)), sk.GRU(2), sk.Dense(1)], loss="mse")
    with pytest.raises(sk.errors.InputTypeError, match=r"fit stop_on_nan: expected True or "
                                                       r"False"):
        model.fit(np.ones((4, 3, 2), "float32"), np.ones(4, "float32"), verbose=0,
                  stop_on_nan=value)
