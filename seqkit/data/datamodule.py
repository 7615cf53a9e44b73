"""``SequenceDataModule``: in-memory arrays as a ``LightningDataModule`` for user Trainers."""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl

from seqkit._checks import fraction, positive_int
from seqkit.data.adapters import check_finite, to_tensor
from seqkit.data.batch import Batch
from seqkit.data.loader import ArrayLoader, check_bucketable
from seqkit.errors import InputError, explain

__all__ = ["SequenceDataModule"]


class SequenceDataModule(pl.LightningDataModule):
    """Serves ``(x, y)`` arrays to a ``Trainer`` through seqkit's index-gather loader.

    Ragged lists of sequences are padded and carry their lengths. The validation part is
    the last ``validation_split`` of the samples, taken before shuffling (as ``fit`` does).
    Under DDP every rank gets its own shard.

    Args:
        x: Inputs, batch-major (numpy, tensor, or list of sequences).
        y: Targets.
        batch_size: Samples per batch.
        validation_split: Fraction held out for validation (from the end).
        shuffle: Reshuffle training samples every epoch.
        seed: Seed of the shuffling order.
        model: The seqkit model the data is for. With it, raw data goes through the
            model's preprocessing exactly as in ``model.fit``: text through its
            ``TextVectorizer``, string labels through its label encoder, targets through
            its scaler, each adapted on the training rows only (and a preset's head sized
            from the labels); batches are cut after their longest sequence when the
            model's output has no time axis, and a model with an ``Ensemble`` gets a
            batch from each member's own order per step, as in ``fit``.
        bucket_by_length: Make training batches of similar lengths, as
            ``fit(..., bucket_by_length=True)`` does (needs sequence lengths).

    Examples:
        >>> import numpy as np
        >>> dm = SequenceDataModule(np.zeros((10, 4, 1)), np.zeros(10), batch_size=4,
        ...                         validation_split=0.2)
        >>> len(dm.train_dataloader()), len(dm.val_dataloader())
        (2, 1)
    """

    def __init__(self, x: Any, y: Any, batch_size: int = 32, validation_split: float = 0.0,
                 *, shuffle: bool = True, seed: int = 0, model: Any = None,
                 bucket_by_length: bool = False) -> None:
        super().__init__()
        self.batch_size = positive_int(batch_size, "batch_size", "SequenceDataModule")
        split = fraction(validation_split, "validation_split", "SequenceDataModule")
        self.shuffle, self.seed = shuffle, seed
        self.bucket_by_length = bucket_by_length
        self.trim_to_longest = False
        self.orders = 1
        if model is not None:
            self.train_data, self.val_data = _through_model(model, x, y, split)
            self.trim_to_longest = model._trims_batches()
            self.orders = model.ensemble_members  # an Ensemble's members: an order each
        else:
            self.train_data, self.val_data = _from_arrays(x, y, split)
        if bucket_by_length:
            check_bucketable(self.train_data)

    def train_dataloader(self) -> ArrayLoader:
        return ArrayLoader(self.train_data, self.batch_size, shuffle=self.shuffle,
                           seed=self.seed, trim_to_longest=self.trim_to_longest,
                           bucket_by_length=self.bucket_by_length, orders=self.orders)

    def val_dataloader(self) -> ArrayLoader | list[Any]:
        if self.val_data is None:
            return []
        return ArrayLoader(self.val_data, self.batch_size,
                           trim_to_longest=self.trim_to_longest)

    def predict_dataloader(self) -> ArrayLoader:
        return ArrayLoader(Batch(self.train_data.x, None, self.train_data.lengths),
                           self.batch_size)


def _from_arrays(x: Any, y: Any, split: float) -> tuple[Batch, Batch | None]:
    """Train and validation batches of plain arrays (the last ``split`` held out)."""
    x_tensor, lengths = to_tensor(x, "x")
    y_tensor, _ = to_tensor(y, "y")
    if y_tensor.shape[0] != x_tensor.shape[0]:
        raise InputError(explain("y", expected=f"{x_tensor.shape[0]} samples (as many as x)",
                                 received=f"{y_tensor.shape[0]} samples"))
    check_finite(x_tensor, "x")
    check_finite(y_tensor, "y")
    data = Batch(x_tensor, y_tensor, lengths)
    n_val = int(x_tensor.shape[0] * split)
    cut = x_tensor.shape[0] - n_val
    train = Batch(*(None if t is None else t[:cut] for t in data))
    val = Batch(*(None if t is None else t[cut:] for t in data)) if n_val else None
    return train, val


def _through_model(model: Any, x: Any, y: Any, split: float) -> tuple[Batch, Batch | None]:
    """Train and validation batches made by the model's own data path (as ``fit``)."""
    from seqkit.models._inputs import prepare_inputs, same_count
    from seqkit.models._preprocessing import adapt_preprocessing, take_rows

    same_count(x, y)
    total = len(x)
    cut = total - int(total * split)
    x_train, y_train = take_rows(x, 0, cut), take_rows(y, 0, cut)
    if getattr(model, "pending_head", None) is not None:
        model.pending_head.attach(model, y_train)
        model.pending_head = None
    adapt_preprocessing(model, x_train, y_train, None)
    train = prepare_inputs(model, x_train, y_train)
    val = (prepare_inputs(model, take_rows(x, cut, total), take_rows(y, cut, total))
           if cut < total else None)
    return train, val
