"""Targets that do not fit the model's output are refused before training, with the fix,
instead of failing deep in torch or broadcasting silently."""

from __future__ import annotations

import numpy as np
import pytest

import seqkit as sk
from seqkit.errors import InputError

X = np.random.default_rng(0).random((16, 5, 2)).astype(np.float32)


def _model(units: int, loss: str, per_step: bool = False) -> sk.Sequential:
    return sk.Sequential([sk.LSTM(4, return_sequences=per_step), sk.Dense(units)], loss=loss)


BAD = {
    "1-D y for Dense(3)": (_model(3, "mse"), np.zeros(16), "Dense\\(1\\)"),
    "two targets for Dense(1)": (_model(1, "mse"), np.zeros((16, 2)), "Dense\\(2\\)"),
    "per-step y, last-step model": (_model(1, "mse"), np.zeros((16, 5, 1)),
                                    "return_sequences=True"),
    "one-hot y, sparse loss": (_model(3, "sparse_categorical_crossentropy"),
                               np.eye(3)[np.arange(16) % 3], "categorical_crossentropy"),
    "one y per sequence, per-step model": (_model(1, "mse", per_step=True), np.zeros((16, 1)),
                                           "return_sequences=False"),
    "per-step y of another length": (_model(1, "mse", per_step=True), np.zeros((16, 4, 1)),
                                     "return_sequences=False"),
    "a 'valid' Conv1D drops steps": (sk.Sequential([sk.Conv1D(4, 3), sk.Dense(1)], loss="mse"),
                                     np.zeros((16, 5, 1)), "padding='same' or 'causal'"),
}
GOOD = {
    "(batch,) for Dense(1)": (_model(1, "mse"), np.zeros(16)),
    "class ids": (_model(3, "sparse_categorical_crossentropy"), np.arange(16) % 3),
    "one-hot, categorical": (_model(3, "categorical_crossentropy"),
                             np.eye(3)[np.arange(16) % 3]),
    "per-step (batch, time, 1)": (_model(1, "mse", per_step=True), np.zeros((16, 5, 1))),
    "per-step (batch, time)": (_model(1, "mse", per_step=True), np.zeros((16, 5))),
    "a 'same' Conv1D": (sk.Sequential([sk.Conv1D(4, 3, padding="same"), sk.Dense(1)],
                                      loss="mse"), np.zeros((16, 5, 1))),
}


@pytest.mark.parametrize("case", list(BAD))
def test_targets_that_do_not_fit_the_output_are_refused_with_the_fix(case: str) -> None:
    model, y, fix = BAD[case]
    with pytest.raises(InputError, match=f"y: expected targets of shape.*{fix}"):
        model.fit(X, y, epochs=1, verbose=0)
    with pytest.raises(InputError, match="y: expected targets of shape"):
        model.evaluate(X, y, verbose=0)


@pytest.mark.parametrize("case", list(GOOD))
def test_targets_that_fit_train(case: str) -> None:
    model, y = GOOD[case]
    model.fit(X, y, epochs=1, verbose=0)
