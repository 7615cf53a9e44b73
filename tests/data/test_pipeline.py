"""The input pipeline's contract with fit, evaluate and predict: validation data and its
weights, clear errors, and no reference to the user's data once a call returns."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import seqkit as sk
from seqkit.errors import InputError


def _regression(n: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6, 2)).astype(np.float32)
    return x, (x.sum(axis=(1, 2)) + 3.0).astype(np.float32)[:, None]


def _model() -> sk.Sequential:
    return sk.Sequential([sk.GRU(3), sk.Dense(1)]).compile(loss="mse")


def test_validation_data_weights_the_validation_loss_as_keras_does() -> None:
    x, y = _regression()
    x_val, y_val = _regression(8, seed=1)
    weight = np.array([4.0, 0.1, 0.1, 0.1, 3.0, 0.1, 0.1, 0.1], np.float32)
    model = _model()
    history = model.fit(x, y, epochs=1, verbose=0, seed=0,
                        validation_data=(x_val, y_val, weight))
    weighted = model.evaluate(x_val, y_val, sample_weight=weight, verbose=0)
    plain = model.evaluate(x_val, y_val, verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(weighted, rel=1e-5)
    assert abs(weighted - plain) > 1e-3 * plain  # the weights changed the loss


@pytest.mark.parametrize("bad", [(np.zeros((4, 6, 2)),), np.zeros((4, 6, 2)), ()])
def test_validation_data_without_targets_is_a_clear_error(bad: object) -> None:
    x, y = _regression()
    with pytest.raises(InputError, match=r"validation_data.*expected \(x_val, y_val\)"):
        _model().fit(x, y, epochs=1, verbose=0, validation_data=bad)


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_no_reference_to_the_users_data_remains_after_a_call(call: str) -> None:
    model = _model()
    model.fit(*_regression(), epochs=1, verbose=0)
    x, y = _regression()
    references = [weakref.ref(x), weakref.ref(y)]
    if call == "fit":
        model.fit(x, y, epochs=1, verbose=0, validation_split=0.25)
    elif call == "evaluate":
        model.evaluate(x, y, verbose=0)
    else:
        model.predict(x, verbose=0)
    del x, y
    gc.collect()
    assert [ref() for ref in references] == [None, None]


def test_a_view_of_windows_is_batched_without_a_copy() -> None:
    series = np.sin(np.arange(400, dtype=np.float32) / 7)
    x, y = sk.data.windows(series, lookback=20)
    contract = _model().data_contract()
    train, _ = sk.data.pipeline.fit_data(contract, x, y)
    assert train.x.data_ptr() == series.ctypes.data  # a strided view of the series itself


@pytest.mark.parametrize("argument", ["sample_weight", "lengths"])
def test_a_wrong_count_is_caught_before_the_validation_split_hides_it(argument: str) -> None:
    x, y = _regression()
    with pytest.raises(InputError, match=f"{argument}: expected 32 samples"):
        _model().fit(x, y, epochs=1, verbose=0, validation_split=0.25,
                     **{argument: np.full(34, 3)})
