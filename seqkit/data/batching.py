"""The loaders ``fit``, ``evaluate`` and ``predict`` walk: checked data, batched by
[`ArrayLoader`][seqkit.data.ArrayLoader], each batch transformed as it is gathered."""

from __future__ import annotations

import torch

from seqkit.data.batch import Batch
from seqkit.data.contract import DataContract
from seqkit.data.loader import ArrayLoader, length_order
from seqkit.data.transform import BatchTransform

__all__ = ["inference_loader", "training_loader"]


def training_loader(contract: DataContract, data: Batch, batch_size: int, *, shuffle: bool,
                    seed: int | None, bucket_by_length: bool = False) -> ArrayLoader:
    """The training loader: shuffled each epoch, sharded under DDP, an order per
    ``Ensemble`` member, batches cut after their longest sequence where outputs have no
    time axis."""
    return ArrayLoader(data, batch_size, shuffle=shuffle, seed=seed,
                       pin_memory=torch.cuda.is_available(),
                       trim_to_longest=contract.trims_batches(),
                       bucket_by_length=bucket_by_length, orders=contract.orders,
                       transform=BatchTransform(contract))


def inference_loader(contract: DataContract, data: Batch, batch_size: int, *,
                     by_length: bool, shard: bool = False, pin_memory: bool = False
                     ) -> ArrayLoader:
    """A loader over every row once, in order, or, with ``by_length`` (and outputs without
    a time axis, and known lengths), in order of length so that each batch cut after its
    longest sequence carries little padding (``loader.order`` then says which rows each
    batch holds). ``shard`` splits the rows among DDP ranks (validation does)."""
    trims = contract.trims_batches()
    order = length_order(data) if by_length and trims else None
    return ArrayLoader(data, batch_size, shard=shard, trim_to_longest=trims, order=order,
                       pin_memory=pin_memory,
                       transform=BatchTransform(contract))
