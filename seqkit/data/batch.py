"""The batch that flows from loaders into the model's steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from torch import Tensor

from seqkit.errors import InputTypeError, explain

__all__ = ["Batch", "as_batch"]


class Batch(NamedTuple):
    """One batch, batch-major.

    Attributes:
        x: Inputs, ``(batch, time, features)`` (or ``(batch, time)`` token ids).
        y: Targets, or ``None`` when predicting.
        lengths: Valid length of each sequence, ``(batch,)`` int64, or ``None``.
        sample_weight: Weight of each sample, ``(batch,)``, or ``None``.
    """

    x: Tensor
    y: Tensor | None = None
    lengths: Tensor | None = None
    sample_weight: Tensor | None = None


def as_batch(batch: Any) -> Batch:
    """Reads what a user's ``DataLoader`` yields: ``x``, ``(x, y)``, ``(x, y, lengths)``,
    ``(x, y, lengths, sample_weight)`` or a dict with those keys.

    Examples:
        >>> import torch
        >>> as_batch((torch.zeros(2, 3, 1), torch.zeros(2))).y.shape
        torch.Size([2])
    """
    if isinstance(batch, Batch):
        return batch
    if isinstance(batch, Tensor):
        return Batch(batch)
    if isinstance(batch, Mapping) and "x" in batch:
        return Batch(batch["x"], batch.get("y"), batch.get("lengths"), batch.get("sample_weight"))
    if isinstance(batch, tuple | list) and 1 <= len(batch) <= 4:
        return Batch(*batch)
    raise InputTypeError(
        explain(
            "batch",
            expected="x, (x, y), (x, y, lengths), (x, y, lengths, sample_weight) or a dict "
            "with keys 'x', 'y', 'lengths', 'sample_weight'",
            received=f"{type(batch).__name__}"
            + (f" of length {len(batch)}" if isinstance(batch, tuple | list) else ""),
        )
    )
