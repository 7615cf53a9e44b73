"""Under 2-process DDP (CPU, gloo), an inf target that only one process sees stops both at
the same step: neither waits forever in the gradient all-reduce."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp
from _process_group import close_process_group, join_group, run_two_ranks
from torch.utils.data import DataLoader

import seqkit as sk
from seqkit.training.faults import NonFiniteLossWarning


def _rank(rank: int, port: int, queue: mp.Queue) -> None:
    join_group(rank, port)
    torch.manual_seed(0)
    x, y = torch.ones(64, 4, 3), torch.ones(64, 1)
    x *= torch.linspace(0.1, 1, 64)[:, None, None]
    y[40] = float("inf")  # one row: DistributedSampler gives it to one process only
    model = sk.Sequential([sk.Input((4, 3)), sk.GRU(4), sk.Dense(1)], loss="mse")
    loader = DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=8)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(loader, epochs=3, verbose=0, accelerator="cpu", devices=2,
                            strategy="ddp")
    messages = [str(w.message) for w in caught if w.category is NonFiniteLossWarning]
    weights = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    queue.put((rank, messages, history.epoch, weights))
    close_process_group()


@pytest.mark.slow
def test_both_processes_stop_at_the_same_step() -> None:
    results = run_two_ranks(_rank, timeout=120)
    (_, messages0, epochs0, weights0), (_, messages1, epochs1, weights1) = results
    assert len(messages0) == len(messages1) == 1
    steps = {message.split("step ")[1].split(" of")[0] for message in messages0 + messages1}
    assert len(steps) == 1  # the same step on both
    assert "another process" in " ".join(messages0 + messages1)
    assert epochs0 == epochs1 == []
    for name, value in weights0.items():
        np.testing.assert_array_equal(value, weights1[name])
        assert np.isfinite(value).all()
