"""Batches cut after their longest sequence give the results of the full padded batches."""

from __future__ import annotations

import numpy as np
import torch

import seqkit as sk


def _ids(pad_to: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 12, size=24)
    ids = np.zeros((24, pad_to), dtype=np.int64)
    for row, length in enumerate(lengths):
        ids[row, :length] = rng.integers(1, 50, size=length)
    return ids, (lengths % 2).astype(np.int64)


def _classifier() -> sk.Sequential:
    torch.manual_seed(0)
    return sk.Sequential([sk.Embedding(50, 6, mask_zero=True),
                          sk.LSTM(5, bidirectional=True), sk.Dense(2)],
                         optimizer="adam", lr=1e-2, loss="cross_entropy")


def test_extra_padding_changes_neither_training_nor_predictions() -> None:
    short, labels = _ids(12)
    long, _ = _ids(300)  # the same ids, 288 more padding steps
    models = []
    for ids in (short, long):
        model = _classifier()
        model.fit(ids, labels, batch_size=8, epochs=2, verbose=0, seed=0)
        models.append(model)
    for a, b in zip(models[0].parameters(), models[1].parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    np.testing.assert_array_equal(models[0].predict(short), models[1].predict(long))
    np.testing.assert_array_equal(models[0].predict(short), models[0].predict(long))
    assert models[0].evaluate(short, labels) == models[1].evaluate(long, labels)


def test_only_models_without_a_time_axis_in_their_outputs_trim() -> None:
    per_step = sk.Sequential([sk.LSTM(3, return_sequences=True), sk.Dense(1)])
    per_step.build((None, 4, 2))
    last = sk.Sequential([sk.LSTM(3), sk.Dense(1)])
    last.build((None, 4, 2))
    assert not per_step._trims_batches() and last._trims_batches()
