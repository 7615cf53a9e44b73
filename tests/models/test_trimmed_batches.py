"""Batches cut after their longest sequence give the results of the full padded batches."""

from __future__ import annotations

import numpy as np
import pytest
import pytorch_lightning as pl
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
    assert not per_step.trims_batches() and last.trims_batches()


class _BatchLengths(pl.Callback):
    def __init__(self) -> None:
        self.seen: list[list[int]] = []

    def on_train_batch_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule,
                             batch: sk.data.Batch, batch_idx: int) -> None:
        assert batch.x.shape[1] == int(batch.lengths.max())  # cut after the longest
        self.seen.append(sorted(batch.lengths.tolist()))


def test_fit_buckets_batches_by_length_and_still_learns() -> None:
    ids, labels = _ids(40)
    lengths = (ids != 0).sum(axis=1)
    callback = _BatchLengths()
    model = _classifier()
    history = model.fit(ids, labels, batch_size=8, epochs=12, verbose=0, seed=0,
                        bucket_by_length=True, callbacks=[callback])
    for epoch in range(12):  # 24 samples, one pool: each epoch is the sorted lengths, cut
        runs = sorted(callback.seen[3 * epoch: 3 * epoch + 3])
        assert [v for run in runs for v in run] == sorted(lengths.tolist())
    losses = history.history["loss"]
    assert losses[-1] < losses[0]


def test_bucket_by_length_without_lengths_or_with_ready_batches_is_refused() -> None:
    x = np.zeros((8, 4, 2), dtype=np.float32)
    y = np.zeros(8, dtype=np.float32)
    model = sk.Sequential([sk.LSTM(3), sk.Dense(1)], loss="mse")
    with pytest.raises(sk.errors.ConfigError, match=r"bucket_by_length.*lengths="):
        model.fit(x, y, epochs=1, verbose=0, bucket_by_length=True)
    module = sk.data.SequenceDataModule(x, y, model=model)
    with pytest.raises(sk.errors.InputError, match="no bucket_by_length with a Lightning"):
        model.fit(module, epochs=1, verbose=0, bucket_by_length=True)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
        torch.from_numpy(x), torch.from_numpy(y)), batch_size=4)
    with pytest.raises(sk.errors.ConfigError, match=r"bucket_by_length.*DataLoader"):
        model.fit(loader, epochs=1, verbose=0, bucket_by_length=True)


def test_predict_runs_length_sorted_batches_and_keeps_the_callers_order() -> None:
    ids, labels = _ids(40)
    model = _classifier()
    model.fit(ids, labels, batch_size=8, epochs=1, verbose=0, seed=0)
    steps: list[int] = []
    hook = model.layers[0].register_forward_hook(
        lambda module, inputs, output: steps.append(inputs[0].shape[1]))
    together = model.predict(ids, batch_size=5)
    hook.remove()
    assert steps == sorted(steps) and steps[-1] == 11  # neighbouring lengths, each cut
    one_by_one = np.concatenate([model.predict(ids[i: i + 1]) for i in range(len(ids))])
    np.testing.assert_allclose(together, one_by_one, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(model.predict_classes(ids, batch_size=5),
                                  together.argmax(axis=1))


def test_evaluate_and_validation_in_length_order_equal_one_whole_batch() -> None:
    ids, labels = _ids(40)
    model = _classifier()
    history = model.fit(ids[:16], labels[:16], validation_data=(ids[16:], labels[16:]),
                        batch_size=5, epochs=1, verbose=0, seed=0)
    whole = model.evaluate(ids[16:], labels[16:], batch_size=len(ids), return_dict=True)
    assert model.evaluate(ids[16:], labels[16:], batch_size=3,
                          return_dict=True) == pytest.approx(whole)
    assert history.history["val_loss"][0] == pytest.approx(whole["loss"])
