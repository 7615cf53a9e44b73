"""The index-gather loader: same batches as a reference, sharding under DDP."""

from __future__ import annotations

import os
import socket

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from hypothesis import given, settings
from hypothesis import strategies as st

from seqkit.data import ArrayLoader, Batch, SequenceDataModule, pad_sequences
from seqkit.data.adapters import to_tensor
from seqkit.data.loader import BUCKET_POOL_BATCHES
from seqkit.errors import ConfigError, InputError, InputTypeError


def _data(n: int) -> Batch:
    x = torch.arange(n * 3, dtype=torch.float32).reshape(n, 3, 1)
    return Batch(x, torch.arange(n, dtype=torch.float32), torch.full((n,), 3), None)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 60), batch_size=st.integers(1, 17), shuffle=st.booleans(),
       seed=st.integers(0, 1000))
def test_batches_equal_a_reference_gather(n: int, batch_size: int, shuffle: bool,
                                          seed: int) -> None:
    data = _data(n)
    loader = ArrayLoader(data, batch_size, shuffle=shuffle, seed=seed)
    for epoch in range(2):
        order = (torch.randperm(n, generator=torch.Generator().manual_seed(seed + epoch))
                 if shuffle else torch.arange(n))
        batches = list(loader)
        assert len(batches) == len(loader) == -(-n // batch_size)
        for i, batch in enumerate(batches):
            index = order[i * batch_size:(i + 1) * batch_size]
            assert torch.equal(batch.x, data.x[index])
            assert torch.equal(batch.y, data.y[index])
            assert torch.equal(batch.lengths, data.lengths[index])
            assert batch.sample_weight is None


def test_shuffling_changes_between_epochs_and_covers_everything() -> None:
    loader = ArrayLoader(_data(20), 5, shuffle=True, seed=1)
    first = torch.cat([b.y for b in loader])
    second = torch.cat([b.y for b in loader])
    assert not torch.equal(first, second)
    assert sorted(first.tolist()) == sorted(second.tolist()) == list(range(20))


def _distinct_lengths(n: int, seed: int = 0) -> Batch:
    """Sample i has the (distinct) length ``lengths[i]``; y holds i."""
    lengths = torch.randperm(n, generator=torch.Generator().manual_seed(seed)) + 1
    return Batch(torch.zeros(n, n + 1, 1), torch.arange(n, dtype=torch.float32), lengths, None)


def _ddp_worker(rank: int, world: int, port: int, n: int, queue: mp.Queue) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        loader = ArrayLoader(_data(n), 4, shuffle=True, seed=5)
        seen = [int(v) for batch in loader for v in batch.y]
        bucketed = ArrayLoader(_distinct_lengths(n), 4, shuffle=True, seed=5,
                               bucket_by_length=True)
        steps = [batch.lengths.tolist() for batch in bucketed]
        two_orders = ArrayLoader(_data(n), 4, shuffle=True, seed=5, orders=2)
        walks: list[list[int]] = [[], []]
        for batch in two_orders:
            for walk, part in zip(walks, batch.y.tensor_split(2), strict=True):
                walk.extend(int(v) for v in part)
        queue.put((rank, len(loader), seen, steps, walks))
    finally:
        dist.destroy_process_group()


@pytest.mark.slow
def test_ranks_get_disjoint_shards_covering_every_sample() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    context = mp.get_context("spawn")
    queue = context.Queue()
    n, world = 23, 2
    processes = [context.Process(target=_ddp_worker, args=(r, world, port, n, queue))
                 for r in range(world)]
    for process in processes:
        process.start()
    results = sorted(queue.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    (_, len0, seen0, steps0, walks0), (_, len1, seen1, steps1, walks1) = results
    assert len0 == len1 == 3  # ceil(ceil(23 / 2) / 4)
    assert len(seen0) == len(seen1) == 12  # padded to equal shards, as DistributedSampler
    assert set(seen0) | set(seen1) == set(range(n))
    assert len(set(seen0) & set(seen1)) <= 1  # only the one padding repeat
    # Bucketed: the ranks' batches of one step together hold a run of neighbouring
    # lengths (lengths are 1..23, one pool), and the first two steps hold all but 7.
    assert len(steps0) == len(steps1) == 3
    for step0, step1 in zip(steps0[:2], steps1[:2], strict=True):
        together = sorted(step0 + step1)
        assert together == list(range(together[0], together[0] + 8))
    assert {v for step in steps0 + steps1 for v in step} == set(range(1, n + 1))
    # Two orders (an Ensemble of two): order 0 is the plain loader's shard on each rank;
    # order 1 is another shuffle, sharded the same way.
    assert walks0[0] == seen0 and walks1[0] == seen1
    assert len(walks0[1]) == len(walks1[1]) == 12
    assert set(walks0[1]) | set(walks1[1]) == set(range(n))
    assert walks0[1] != seen0


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 120), batch_size=st.integers(1, 9), seed=st.integers(0, 1000))
def test_bucketed_batches_hold_neighbouring_lengths_and_cover_everything(
        n: int, batch_size: int, seed: int) -> None:
    data = _distinct_lengths(n, seed)
    loader = ArrayLoader(data, batch_size, shuffle=True, seed=seed, bucket_by_length=True,
                         trim_to_longest=True)
    pool = batch_size * BUCKET_POOL_BATCHES
    for _ in range(2):
        batches = list(loader)
        assert len(batches) == len(loader)
        assert all(b.x.shape[0] == batch_size for b in batches[:-1])  # a short one is last
        assert sorted(v for b in batches for v in b.y.tolist()) == list(range(n))
        for batch in batches:
            assert batch.x.shape[1] == int(batch.lengths.max())  # trimmed
            assert torch.equal(data.lengths[batch.y.long()], batch.lengths)
        if n <= pool:  # one pool: batches are consecutive runs of the sorted lengths
            runs = sorted(sorted(b.lengths.tolist()) for b in batches)
            assert [v for run in runs for v in run] == list(range(1, n + 1))
    again = ArrayLoader(data, batch_size, shuffle=True, seed=seed, bucket_by_length=True)
    assert [b.y.tolist() for b in again] == [b.y.tolist() for b in
                                             ArrayLoader(data, batch_size, shuffle=True,
                                                         seed=seed, bucket_by_length=True)]


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 60), batch_size=st.integers(1, 9), orders=st.integers(2, 4),
       shuffle=st.booleans(), bucket=st.booleans(), seed=st.integers(0, 1000))
def test_each_order_covers_every_sample_once_per_epoch(n: int, batch_size: int, orders: int,
                                                       shuffle: bool, bucket: bool,
                                                       seed: int) -> None:
    """Steps of an ``orders``-loader are ``orders`` batches side by side: part ``k`` of the
    steps walks order ``k``, and order 0 is the one a plain loader gives."""
    data = _distinct_lengths(n, seed)
    loader = ArrayLoader(data, batch_size, shuffle=shuffle, seed=seed, orders=orders,
                         bucket_by_length=bucket)
    single = ArrayLoader(data, batch_size, shuffle=shuffle, seed=seed, bucket_by_length=bucket)
    for _ in range(2):
        steps = list(loader)
        plain = list(single)
        assert len(steps) == len(loader) == len(plain)
        walks: list[list[int]] = [[] for _ in range(orders)]
        for step, alone in zip(steps, plain, strict=True):
            parts = step.y.long().tensor_split(orders)
            assert all(part.numel() == alone.y.numel() for part in parts)
            for walk, part in zip(walks, parts, strict=True):
                walk.extend(part.tolist())
        assert walks[0] == [v for b in plain for v in b.y.long().tolist()]
        assert all(sorted(walk) == list(range(n)) for walk in walks)
        if shuffle and not bucket and n >= 8:  # (bucketed: few batches to shuffle)
            assert any(walk != walks[0] for walk in walks[1:])
        if not shuffle and not bucket:
            assert all(walk == walks[0] for walk in walks[1:])


def test_bucketing_shuffles_batches_between_epochs() -> None:
    loader = ArrayLoader(_distinct_lengths(64), 4, shuffle=True, seed=0,
                         bucket_by_length=True)
    first, second = ([b.y.tolist() for b in loader] for _ in range(2))
    assert first != second


def test_bucketing_without_shuffling_keeps_the_pools_in_order() -> None:
    data = _distinct_lengths(30)
    loader = ArrayLoader(data, 4, bucket_by_length=True)  # shuffle=False; one pool
    for _ in range(2):
        lengths = [v for batch in loader for v in batch.lengths.tolist()]
        assert lengths == list(range(1, 31))


def test_bucketing_needs_lengths_on_the_host() -> None:
    data = _distinct_lengths(8)
    with pytest.raises(ConfigError, match=r"bucket_by_length.*lengths on the host.*no lengths"):
        ArrayLoader(data._replace(lengths=None), 4, shuffle=True, bucket_by_length=True)


def test_pad_sequences_pads_at_the_end_and_reports_lengths() -> None:
    padded, lengths = pad_sequences([np.ones((3, 2)), np.ones((1, 2))], "x")
    assert padded.shape == (2, 3, 2) and lengths.tolist() == [3, 1]
    assert padded[1, 1:].abs().sum() == 0


def test_pad_sequences_rejects_mixed_feature_sizes() -> None:
    with pytest.raises(InputError, match="same feature shape"):
        pad_sequences([np.ones((3, 2)), np.ones((2, 3))], "x")


def test_to_tensor_shares_memory_and_keeps_dtypes() -> None:
    array = np.zeros((2, 3))
    x, lengths = to_tensor(array, "x")
    assert x.dtype == torch.float64 and lengths is None  # converted per batch, later
    assert x.data_ptr() == array.ctypes.data
    view = np.zeros((4, 5), np.float32)[:, ::2]  # strided: still no copy
    assert to_tensor(view, "x")[0].data_ptr() == view.ctypes.data
    ids, _ = to_tensor(np.zeros((2, 3), dtype=np.int64), "x")
    assert ids.dtype == torch.int64
    with pytest.raises(InputTypeError, match="numbers"):
        to_tensor(np.array(["a"], dtype=object), "x")


def test_datamodule_holds_out_the_tail() -> None:
    x = np.arange(10, dtype=np.float32)[:, None, None]
    module = SequenceDataModule(x, np.arange(10), batch_size=3, validation_split=0.3,
                                shuffle=False)
    val = torch.cat([b.x for b in module.val_dataloader()]).flatten().tolist()
    train = torch.cat([b.x for b in module.train_dataloader()]).flatten().tolist()
    assert val == [7.0, 8.0, 9.0] and train == [float(i) for i in range(7)]


@settings(max_examples=30, deadline=None)
@given(lengths=st.lists(st.integers(0, 9), min_size=1, max_size=12),
       batch_size=st.integers(1, 5))
def test_trimmed_batches_end_at_their_longest_sequence(lengths: list[int],
                                                       batch_size: int) -> None:
    n = len(lengths)
    x = torch.arange(n * 9, dtype=torch.float32).reshape(n, 9)
    data = Batch(x, torch.zeros(n), torch.tensor(lengths), None)
    full = list(ArrayLoader(data, batch_size))
    trimmed = list(ArrayLoader(data, batch_size, trim_to_longest=True))
    for whole, cut in zip(full, trimmed, strict=True):
        longest = max(int(whole.lengths.max()), 1)
        assert cut.x.shape == (whole.x.shape[0], longest)
        assert torch.equal(cut.x, whole.x[:, :longest])
        assert torch.equal(cut.y, whole.y) and torch.equal(cut.lengths, whole.lengths)
