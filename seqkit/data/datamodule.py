"""``SequenceDataModule``: in-memory arrays as a ``LightningDataModule`` for user Trainers."""

from __future__ import annotations

from typing import Any

import pytorch_lightning as pl

from seqkit._checks import fraction, positive_int
from seqkit.data.adapters import check_finite, to_tensor
from seqkit.data.batch import Batch
from seqkit.data.loader import ArrayLoader
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

    Examples:
        >>> import numpy as np
        >>> dm = SequenceDataModule(np.zeros((10, 4, 1)), np.zeros(10), batch_size=4,
        ...                         validation_split=0.2)
        >>> len(dm.train_dataloader()), len(dm.val_dataloader())
        (2, 1)
    """

    def __init__(self, x: Any, y: Any, batch_size: int = 32, validation_split: float = 0.0,
                 *, shuffle: bool = True, seed: int = 0) -> None:
        super().__init__()
        x_tensor, lengths = to_tensor(x, "x")
        y_tensor, _ = to_tensor(y, "y")
        if y_tensor.shape[0] != x_tensor.shape[0]:
            raise InputError(explain("y", expected=f"{x_tensor.shape[0]} samples (as many as x)",
                                     received=f"{y_tensor.shape[0]} samples"))
        check_finite(x_tensor, "x")
        check_finite(y_tensor, "y")
        self.batch_size = positive_int(batch_size, "batch_size", "SequenceDataModule")
        split = fraction(validation_split, "validation_split", "SequenceDataModule")
        self.shuffle, self.seed = shuffle, seed
        data = Batch(x_tensor, y_tensor, lengths)
        n_val = int(x_tensor.shape[0] * split)
        cut = x_tensor.shape[0] - n_val
        self.train_data = Batch(*(None if t is None else t[:cut] for t in data))
        self.val_data = (Batch(*(None if t is None else t[cut:] for t in data))
                         if n_val else None)

    def train_dataloader(self) -> ArrayLoader:
        return ArrayLoader(self.train_data, self.batch_size, shuffle=self.shuffle,
                           seed=self.seed)

    def val_dataloader(self) -> ArrayLoader | list[Any]:
        if self.val_data is None:
            return []
        return ArrayLoader(self.val_data, self.batch_size)

    def predict_dataloader(self) -> ArrayLoader:
        return ArrayLoader(Batch(self.train_data.x, None, self.train_data.lengths),
                           self.batch_size)
