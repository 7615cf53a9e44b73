"""Keras's fit arguments: positional order, initial_epoch, steps_per_epoch,
validation_steps, validation_freq, validation_batch_size."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import pytorch_lightning as pl

import seqkit as sk

X = np.random.default_rng(0).normal(size=(64, 5, 2)).astype(np.float32)
Y = X.sum(axis=(1, 2))
KERAS_ORDER = ["x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split",
               "validation_data", "shuffle", "class_weight", "sample_weight", "initial_epoch",
               "steps_per_epoch", "validation_steps", "validation_batch_size",
               "validation_freq"]


def _model() -> sk.Sequential:
    return sk.Sequential([sk.Input((5, 2)), sk.GRU(3), sk.Dense(1)], loss="mse")


class _Count(pl.Callback):
    def __init__(self) -> None:
        self.epochs: list[int] = []
        self.train_batches = self.val_batches = 0
        self.sizes: set[int] = set()

    def on_train_epoch_start(self, trainer: pl.Trainer, module: object) -> None:
        self.epochs.append(trainer.current_epoch)

    def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx) -> None:
        self.train_batches += 1

    def on_validation_batch_end(self, trainer, module, outputs, batch, batch_idx,
                                dataloader_idx=0) -> None:
        self.val_batches += 1
        self.sizes.add(len(batch.x))


def test_fit_takes_keras_positional_order() -> None:
    parameters = list(inspect.signature(sk.Sequential.fit).parameters)[1:]
    assert parameters[:len(KERAS_ORDER)] == KERAS_ORDER
    history = _model().fit(X, Y, 16, 2, 0)  # x, y, batch_size, epochs, verbose
    assert history.epoch == [0, 1]
    assert _model().fit(X, Y, None, 1, 0).epoch == [0]  # Keras's batch_size=None: 32


def test_initial_epoch_starts_the_count_there() -> None:
    count = _Count()
    history = _model().fit(X, Y, epochs=5, initial_epoch=3, verbose=0, callbacks=[count])
    assert history.epoch == [3, 4] and count.epochs == [3, 4]
    assert len(history.history["loss"]) == 2
    assert _model().fit(X, Y, epochs=2, initial_epoch=2, verbose=0).epoch == []


def test_steps_and_validation_frequency() -> None:
    count = _Count()
    history = _model().fit(X, Y, batch_size=8, epochs=4, validation_split=0.25,
                           steps_per_epoch=2, validation_steps=1, validation_freq=2,
                           validation_batch_size=5, verbose=0, callbacks=[count])
    assert count.train_batches == 4 * 2
    assert count.val_batches == 2 * 1 and count.sizes == {5}  # after epochs 2 and 4
    assert len(history.history["loss"]) == 4
    assert len(history.history["val_loss"]) == 2  # as Keras: validated epochs only


def test_validation_batch_size_defaults_to_batch_size() -> None:
    count = _Count()
    _model().fit(X, Y, batch_size=8, validation_data=(X[:20], Y[:20]), verbose=0,
                 callbacks=[count])
    assert count.sizes == {8, 4}


@pytest.mark.parametrize(("arguments", "match"), [
    ({"initial_epoch": -1}, "initial_epoch"),
    ({"initial_epoch": 1, "ckpt_path": "last.ckpt"}, "initial_epoch or ckpt_path"),
    ({"steps_per_epoch": 0}, "steps_per_epoch"),
    ({"validation_freq": 2, "check_val_every_n_epoch": 3}, "not both"),
    ({"validation_batch_size": 0}, "validation_batch_size"),
])
def test_bad_keras_arguments_are_refused(arguments: dict, match: str) -> None:
    with pytest.raises(sk.errors.SeqkitError, match=match):
        _model().fit(X, Y, epochs=1, verbose=0, **arguments)


def test_keras_arguments_with_a_user_trainer_are_refused() -> None:
    trainer = pl.Trainer(max_epochs=1, logger=False, enable_checkpointing=False)
    with pytest.raises(sk.errors.ConfigError, match="limit_train_batches"):
        _model().fit(X, Y, steps_per_epoch=2, trainer=trainer, verbose=0)
