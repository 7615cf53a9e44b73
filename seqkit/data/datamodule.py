"""``SequenceDataModule``: in-memory arrays as a ``LightningDataModule`` for user Trainers."""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
import torch

from seqkit._checks import boolean, check_seed, fraction, positive_int
from seqkit.data.adapters import to_tensor
from seqkit.data.batch import Batch
from seqkit.data.checks import check_finite, check_same_count
from seqkit.data.loader import ArrayLoader, check_bucketable
from seqkit.data.pipeline import fit_data
from seqkit.data.split import rows
from seqkit.data.transform import BatchTransform

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
        self.shuffle = boolean(shuffle, "shuffle", "SequenceDataModule")
        self.seed = check_seed(seed, "SequenceDataModule")
        self.bucket_by_length = boolean(bucket_by_length, "bucket_by_length",
                                        "SequenceDataModule")
        self.trim_to_longest = False
        self.orders = 1
        self.transform: Any = _float32
        if model is not None:
            # The model hands its side of the pipeline in: the same path as model.fit.
            contract = model.data_contract(labels=y)
            self.train_data, self.val_data = fit_data(contract, x, y,
                                                      validation_split=split)
            self.trim_to_longest = contract.trims_batches()
            self.orders = contract.orders  # an Ensemble's members: an order each
            self.transform = BatchTransform(contract)
        else:
            self.train_data, self.val_data = _from_arrays(x, y, split)
        if bucket_by_length:
            check_bucketable(self.train_data)

    def train_dataloader(self) -> ArrayLoader:
        return ArrayLoader(self.train_data, self.batch_size, shuffle=self.shuffle,
                           seed=self.seed, trim_to_longest=self.trim_to_longest,
                           bucket_by_length=self.bucket_by_length, orders=self.orders,
                           transform=self.transform)

    def val_dataloader(self) -> ArrayLoader | list[Any]:
        if self.val_data is None:
            return []
        return ArrayLoader(self.val_data, self.batch_size,
                           trim_to_longest=self.trim_to_longest, transform=self.transform)

    def predict_dataloader(self) -> ArrayLoader:
        return ArrayLoader(Batch(self.train_data.x, None, self.train_data.lengths),
                           self.batch_size, transform=self.transform)


def _from_arrays(x: Any, y: Any, split: float) -> tuple[Batch, Batch | None]:
    """Train and validation batches of plain arrays (the last ``split`` held out)."""
    x_tensor, lengths = to_tensor(x, "x")
    y_tensor, _ = to_tensor(y, "y")
    check_same_count("y", y_tensor.shape[0], x_tensor.shape[0])
    check_finite(x_tensor, "x")
    check_finite(y_tensor, "y")
    data = Batch(x_tensor, y_tensor, lengths)
    n = x_tensor.shape[0]
    cut = n - int(n * split)
    train = Batch(*(rows(t, 0, cut) for t in data))
    return train, (Batch(*(rows(t, cut, n) for t in data)) if cut < n else None)


def _float32(batch: Batch) -> Batch:
    """Plain arrays' batches: float64 values as float32 (the weights' dtype)."""
    return Batch(*(t.float() if t is not None and t.dtype == torch.float64 else t
                   for t in batch))
