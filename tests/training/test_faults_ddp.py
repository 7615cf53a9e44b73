"""Under 2-process DDP (CPU, gloo), an inf target that only one process sees stops both at
the same step: neither waits forever in the gradient all-reduce."""

from __future__ import annotations

import os
import socket
import warnings

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp
from _process_group import close_process_group
from torch.utils.data import DataLoader

import seqkit as sk
from seqkit.training.faults import NonFiniteLossWarning


def _rank(rank: int, port: int, queue: mp.Queue) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), WORLD_SIZE="2",
                      RANK=str(rank), LOCAL_RANK=str(rank), NODE_RANK="0")
    torch.set_num_threads(1)
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
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    context = mp.get_context("spawn")
    queue = context.Queue()
    processes = [context.Process(target=_rank, args=(rank, port, queue)) for rank in (0, 1)]
    for process in processes:
        process.start()
    try:
        results = sorted((queue.get(timeout=120) for _ in processes), key=lambda r: r[0])
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    assert all(process.exitcode == 0 for process in processes)
    (_, messages0, epochs0, weights0), (_, messages1, epochs1, weights1) = results
    assert len(messages0) == len(messages1) == 1
    steps = {message.split("step ")[1].split(" of")[0] for message in messages0 + messages1}
    assert len(steps) == 1  # the same step on both
    assert "another process" in " ".join(messages0 + messages1)
    assert epochs0 == epochs1 == []
    for name, value in weights0.items():
        np.testing.assert_array_equal(value, weights1[name])
        assert np.isfinite(value).all()
