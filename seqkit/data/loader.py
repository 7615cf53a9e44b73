"""The default loader for in-memory data: one index-gather per batch, sharded by rank.

A ``DataLoader(TensorDataset)`` calls ``__getitem__`` per sample and collates; for small
recurrent models that costs more than the model step. This loader gathers a whole batch
with one ``index_select`` per tensor (a slice, with no copy, when not shuffling).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch
from torch import Tensor

from seqkit._checks import boolean, check_seed, positive_int
from seqkit.data.batch import Batch
from seqkit.errors import ConfigError, explain

__all__ = ["BUCKET_POOL_BATCHES", "ArrayLoader", "check_bucketable", "length_order"]

BUCKET_POOL_BATCHES = 50
"""Batches per pool sorted by length when bucketing: large enough that a pool holds
similar lengths, small enough that batch contents still change from epoch to epoch."""


class ArrayLoader:
    """Iterates over [`Batch`][] es of in-memory tensors.

    Under ``torch.distributed`` each rank takes every ``world_size``-th index of the epoch's
    order (the order is the same on every rank, seeded by ``seed`` and the epoch); the order
    is padded by repeating its start so all ranks run the same number of steps, as
    ``DistributedSampler`` does.

    Args:
        data: Tensors with the same first dimension (``y``, ``lengths``, ``sample_weight``
            may be ``None``).
        batch_size: Samples per batch.
        shuffle: Reshuffle at every epoch (every ``iter()``).
        seed: Seed of the shuffling order; two loaders with the same seed give the same
            batches. ``None``: a random seed, drawn at the first shuffle (on rank 0 and
            shared with the other ranks under ``torch.distributed``, so shards never
            overlap).
            batches.
        pin_memory: Pin batches in page-locked memory (for ``non_blocking`` CUDA copies).
        shard: Give each distributed rank its share (``False``: every rank sees all rows,
            as ``predict`` and ``evaluate`` need).
        trim_to_longest: Cut each batch's time axis after its longest sequence (needs
            host-side ``lengths``; only ``x`` is cut, so use it when targets have no time
            axis). Padding past every sequence's end changes no result, only the work.
        bucket_by_length: Make batches of similar lengths: the epoch's order (shuffled or
            not) is cut into pools of ``BUCKET_POOL_BATCHES`` batches, each pool is sorted
            by length and cut into batches, and, when shuffling, the batches are shuffled
            (needs host-side ``lengths``). With ``trim_to_longest`` a batch then carries
            little padding. Every sample is still seen once per epoch.
        orders: Independent orders per epoch (each shuffled or bucketed on its own); every
            step concatenates one batch of each, so a step holds ``orders * batch_size``
            samples and the ``k``-th part of every step walks through order ``k``. An
            [`Ensemble`][seqkit.layers.Ensemble] with that many members trains member ``k`` on
            part ``k``: each member sees every sample once per epoch, in its own order.
        order: A fixed order of the samples to walk instead of ``0, 1, ...`` when not
            shuffling (e.g. [`length_order`][seqkit.data.loader.length_order] for inference).
        transform: Applied to every gathered batch (dtypes, preprocessing): the data stays
            as the user gave it, and only one batch at a time is converted.

    Examples:
        >>> import torch
        >>> loader = ArrayLoader(Batch(torch.arange(10.0)[:, None]), batch_size=4)
        >>> [b.x.shape[0] for b in loader]
        [4, 4, 2]
        >>> two = ArrayLoader(Batch(torch.arange(4.0)[:, None]), batch_size=2, orders=2)
        >>> [b.x[:, 0].tolist() for b in two]  # unshuffled: both orders are 0, 1, 2, 3
        [[0.0, 1.0, 0.0, 1.0], [2.0, 3.0, 2.0, 3.0]]
    """

    def __init__(
        self,
        data: Batch,
        batch_size: int = 32,
        *,
        shuffle: bool = False,
        seed: int | None = 0,
        pin_memory: bool = False,
        shard: bool = True,
        trim_to_longest: bool = False,
        bucket_by_length: bool = False,
        orders: int = 1,
        order: Tensor | None = None,
        transform: Callable[[Batch], Batch] | None = None,
    ) -> None:
        self.data = data
        self.batch_size = positive_int(batch_size, "batch_size", "fit")
        self.shuffle = boolean(shuffle, "shuffle", "ArrayLoader")
        self.seed = check_seed(seed, "ArrayLoader")
        self.pin_memory = pin_memory
        self.shard = shard
        self.trim_to_longest = trim_to_longest
        self.bucket_by_length = boolean(bucket_by_length, "bucket_by_length", "ArrayLoader")
        self.orders = positive_int(orders, "orders", "ArrayLoader")
        self.order = order
        self.transform = transform
        self._num_samples = data.x.shape[0]
        if bucket_by_length:
            check_bucketable(data)
        self.epoch = 0
        # Lightning calls `loader.sampler.set_epoch(epoch)` before each epoch, also after a
        # resume from a checkpoint, which keeps the shuffling order of an unbroken run.
        self.sampler = self
        self.batch_sampler = None  # read next to `sampler` by Lightning's data utilities

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch whose order the next ``iter()`` gives (then counts on from it)."""
        self.epoch = epoch

    @property
    def num_samples(self) -> int:
        """Samples in the whole data set (all ranks)."""
        return self._num_samples

    def release(self) -> None:
        """Drops the loader's reference to the data (``fit`` calls it when it returns, so
        the Trainer's loaders keep none of the user's arrays alive).

        Examples:
            >>> loader = ArrayLoader(Batch(torch.zeros(10, 2)), batch_size=4)
            >>> loader.release()
            >>> len(loader), loader.data.x.shape
            (0, torch.Size([0, 2]))
        """
        self.data = Batch(*(None if t is None else t[:0].clone() for t in self.data))
        self._num_samples = 0

    def _indices_for_rank(self) -> Tensor | None:
        """This rank's indices for the current epoch, or ``None`` for 'all, in order'."""
        rank, world = self._rank_and_world()
        if not self.shuffle and world == 1 and not self.bucket_by_length and self.orders == 1:
            return self.order
        generator = None
        if self.shuffle:
            if self.seed is None:
                self.seed = _shared_random_seed()
            generator = torch.Generator().manual_seed(self.seed + self.epoch)
        orders = [self._order(generator, rank, world) for _ in range(self.orders)]
        return orders[0] if self.orders == 1 else _interleaved(orders, self.batch_size)

    def _order(self, generator: torch.Generator | None, rank: int, world: int) -> Tensor:
        """One order of the epoch's samples, this rank's share of it."""
        if generator is not None:
            order = torch.randperm(self.num_samples, generator=generator)
        elif self.order is not None:
            order = self.order
        else:
            order = torch.arange(self.num_samples)
        if self.bucket_by_length:
            assert self.data.lengths is not None  # checked in __init__
            # A rank's batch is every world-th index of batch_size * world consecutive
            # ones: bucket in chunks of that size so each rank's batch is one bucket.
            order = _bucketed(order, self.data.lengths, self.batch_size * world, generator)
        if world > 1:
            padded_size = -(-self.num_samples // world) * world
            order = torch.cat([order, order[: padded_size - self.num_samples]])
            order = order[rank::world]
        return order

    def __len__(self) -> int:
        _, world = self._rank_and_world()
        per_rank = -(-self.num_samples // world)
        return -(-per_rank // self.batch_size)

    def __iter__(self) -> Iterator[Batch]:
        indices = self._indices_for_rank()
        self.epoch += 1
        count = self.num_samples if indices is None else indices.numel()
        step = self.batch_size * self.orders
        for start in range(0, count, step):
            if indices is None:
                stop = start + step
                batch = Batch(*(None if t is None else t[start:stop] for t in self.data))
            else:
                index = indices[start : start + step]
                batch = Batch(*(None if t is None else t.index_select(0, index)
                                for t in self.data))
            if self.trim_to_longest:
                batch = _trimmed(batch)
            if self.transform is not None:
                batch = self.transform(batch)
            if self.pin_memory:
                batch = Batch(*(None if t is None else t.pin_memory() for t in batch))
            yield batch

    def _rank_and_world(self) -> tuple[int, int]:
        return _rank_and_world() if self.shard else (0, 1)


def length_order(data: Batch) -> Tensor | None:
    """An order of ``data``'s samples by length (``None`` without host lengths).

    For inference: batches of neighbouring lengths, cut after their longest sequence, skip
    most of the padding, and every sample's result does not depend on its batch.

    Examples:
        >>> length_order(Batch(torch.zeros(3, 5), None, torch.tensor([5, 1, 3]))).tolist()
        [1, 2, 0]
    """
    lengths = _host_lengths(data)
    return None if lengths is None else torch.argsort(lengths, stable=True)


def check_bucketable(data: Batch) -> None:
    """Raises [`ConfigError`][] unless ``data`` has lengths on the host to bucket by.

    Examples:
        >>> check_bucketable(Batch(torch.zeros(2, 3), None, torch.tensor([3, 1])))
        >>> try:
        ...     check_bucketable(Batch(torch.zeros(2, 3)))
        ... except ConfigError as error:
        ...     print(str(error).split(";")[0])
        bucket_by_length: expected sequence lengths on the host but received no lengths
    """
    if _host_lengths(data) is None:
        raise ConfigError(explain(
            "bucket_by_length", expected="sequence lengths on the host",
            received="no lengths" if data.lengths is None else "lengths on a device",
            fix="pass lengths= (or ragged sequences, a TextVectorizer, or ids for an "
                "Embedding(mask_zero=True)), or leave bucket_by_length off"))


def _bucketed(order: Tensor, lengths: Tensor, chunk: int,
              generator: torch.Generator | None) -> Tensor:
    """``order`` rearranged into chunks of similar lengths.

    Each pool of ``BUCKET_POOL_BATCHES`` chunks is sorted by length (stably: equal lengths
    keep their order) and cut into chunks. With a ``generator`` the full chunks are then
    shuffled, and a short last one stays last so every other chunk keeps its full size;
    without one, the chunks stay in pool order.
    """
    pool = chunk * BUCKET_POOL_BATCHES
    chunks: list[Tensor] = []
    for start in range(0, order.numel(), pool):
        part = order[start : start + pool]
        part = part[torch.argsort(lengths[part], stable=True)]
        chunks.extend(part.split(chunk))
    if generator is None:
        return torch.cat(chunks)
    short = [chunks.pop()] if chunks[-1].numel() < chunk else []
    shuffled = [chunks[i] for i in torch.randperm(len(chunks), generator=generator).tolist()]
    return torch.cat(shuffled + short)


def _interleaved(orders: list[Tensor], batch_size: int) -> Tensor:
    """The orders' batches interleaved: batch ``i`` of every order, then batch ``i + 1``.

    All orders have the same length, so the ``i``-th batches (the last ones too) match.
    """
    batches = zip(*(order.split(batch_size) for order in orders), strict=True)
    return torch.cat([index for step in batches for index in step])


def _trimmed(batch: Batch) -> Batch:
    """``batch`` with its time axis cut after the longest sequence (host lengths only: on
    a device, reading the maximum would wait for it)."""
    lengths = _host_lengths(batch)
    if lengths is None or batch.x.dim() < 2:
        return batch
    longest = max(int(lengths.max()), 1)
    return batch._replace(x=batch.x[:, :longest]) if longest < batch.x.shape[1] else batch


def _host_lengths(data: Batch) -> Tensor | None:
    """``data``'s lengths when they are on the host (reading them on a device would wait)."""
    lengths = data.lengths
    return lengths if lengths is not None and lengths.device.type == "cpu" else None


def _shared_random_seed() -> int:
    """A random seed, the same on every rank (rank 0's) when running distributed."""
    seed = int(torch.randint(0, 2**31 - 1, ()).item())
    distributed = torch.distributed
    if distributed.is_available() and distributed.is_initialized():
        shared = [seed]
        distributed.broadcast_object_list(shared, src=0)
        seed = int(shared[0])
    return seed


def _rank_and_world() -> tuple[int, int]:
    distributed = torch.distributed
    if distributed.is_available() and distributed.is_initialized():
        return distributed.get_rank(), distributed.get_world_size()
    return 0, 1
