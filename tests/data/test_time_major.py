"""``batch_first=False`` means time-major in and out at every entry point: the same data,
transposed, gives the same training, losses, outputs and states as batch-major."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import seqkit as sk
from seqkit.data.pipeline import fit_data

T, B, F = 12, 16, 3


def _data(per_step: bool = False) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(B, T, F)).astype(np.float32)
    y = x.cumsum(axis=1)[..., :1] if per_step else x.sum(axis=(1, 2))[:, None]
    return x, y.astype(np.float32)


def _model(batch_first: bool, per_step: bool = False, **compile_kwargs: Any) -> sk.Sequential:
    model = sk.Sequential([sk.LSTM(4, return_sequences=per_step), sk.Dense(1)],
                          batch_first=batch_first)
    return model.compile(loss="mse", metrics=["mae"], **compile_kwargs)


def _time_major(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values.swapaxes(0, 1))


CASES = {
    "plain": {},
    "validation_split": {"validation_split": 0.25},
    "sample_weight": {"sample_weight": np.linspace(0.5, 2.0, B)},
    "validation_data": {"validation_data": True},
    "tbptt": {"tbptt_steps": 5},
}


@pytest.mark.parametrize("per_step", [False, True], ids=["last_step", "per_step"])
@pytest.mark.parametrize("case", list(CASES))
def test_every_entry_point_matches_batch_major(case: str, per_step: bool) -> None:
    x, y = _data(per_step)
    kwargs = dict(CASES[case])
    runs = {}
    for batch_first in (True, False):
        model = _model(batch_first, per_step)
        xs = x if batch_first else _time_major(x)
        ys = y if batch_first or not per_step else _time_major(y)
        fit_kwargs = dict(kwargs)
        if fit_kwargs.pop("validation_data", None):
            fit_kwargs["validation_data"] = (xs[:, :4] if not batch_first else xs[:4],
                                             ys[:, :4] if not batch_first and per_step
                                             else ys[:4])
        history = model.fit(xs, ys, epochs=2, batch_size=4, shuffle=False, verbose=0, seed=3,
                            **fit_kwargs)
        prediction = model.predict(xs, verbose=0)
        runs[batch_first] = {
            "history": history.history,
            "evaluate": model.evaluate(xs, ys, verbose=0, return_dict=True),
            "predict": prediction if batch_first or not per_step else _time_major(prediction),
        }
    assert runs[True]["history"].keys() == runs[False]["history"].keys()
    for key, values in runs[True]["history"].items():
        np.testing.assert_allclose(runs[False]["history"][key], values, rtol=1e-5, atol=1e-6,
                                   err_msg=key)
    for key, value in runs[True]["evaluate"].items():
        assert runs[False]["evaluate"][key] == pytest.approx(value, rel=1e-5, abs=1e-6)
    np.testing.assert_allclose(runs[False]["predict"], runs[True]["predict"], atol=1e-6)


def test_time_major_fit_takes_per_sample_targets_of_either_shape() -> None:
    x, y = _data()
    for targets in (y, y[:, 0]):  # (batch, 1) and (batch,)
        model = _model(batch_first=False)
        model.fit(_time_major(x), targets, epochs=1, verbose=0)
        assert model.predict(_time_major(x), verbose=0).shape == (B, 1)


def test_time_major_validation_split_holds_out_sequences_not_steps() -> None:
    x, y = _data()
    contract = _model(batch_first=False).data_contract()
    train, val = fit_data(contract, _time_major(x), y, validation_split=0.5)
    assert val is not None
    assert tuple(train.x.shape) == (B // 2, T, F) and tuple(val.x.shape) == (B // 2, T, F)
    np.testing.assert_array_equal(val.x.numpy(), x[B // 2:])  # the last sequences, whole
    np.testing.assert_array_equal(val.y.numpy(), y[B // 2:])


def test_ragged_sequences_with_time_major_model() -> None:
    rng = np.random.default_rng(1)
    sequences = [rng.normal(size=(n, F)).astype(np.float32) for n in (3, 7, 5, 2)]
    targets = np.array([[1.0], [0.0], [2.0], [1.0]], np.float32)
    model = _model(batch_first=False)
    model.fit(sequences, targets, epochs=1, verbose=0)  # a list of samples in both layouts
    together = model.predict(sequences, verbose=0)
    alone = [model.predict(seq[:, None, :], verbose=0)[0] for seq in sequences]
    np.testing.assert_allclose(together, np.stack(alone), atol=1e-6)


def test_time_major_stream_and_states_match_batch_major() -> None:
    x, _ = _data()
    start = np.linspace(-1, 1, B * 4, dtype=np.float32).reshape(B, 1, 4)  # batch-major
    outputs = {}
    for batch_first in (True, False):
        torch.manual_seed(5)
        model = sk.Sequential([sk.GRU(4, return_sequences=True), sk.Dense(1)],
                              batch_first=batch_first)
        xs = x if batch_first else _time_major(x)
        to_batch_major = (lambda v: v) if batch_first else _time_major
        stream = model.stream()
        if batch_first:
            streamed = np.concatenate([stream.step(xs[:, :5]), stream.step(xs[:, 5:])], axis=1)
        else:
            streamed = _time_major(np.concatenate([stream.step(xs[:5]), stream.step(xs[5:])]))
        plain = to_batch_major(model.predict(xs, verbose=0))
        np.testing.assert_allclose(streamed, plain, atol=1e-6)
        full, states = model.predict(xs, initial_state=start, return_state=True, verbose=0)
        full = to_batch_major(full)
        assert np.abs(full - plain).max() > 1e-3  # the start states were used
        outputs[batch_first] = (full, states["gru"].h)  # states stay batch-major
    np.testing.assert_allclose(outputs[False][0], outputs[True][0], atol=1e-6)
    np.testing.assert_allclose(outputs[False][1], outputs[True][1], atol=1e-6)
