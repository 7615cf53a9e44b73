"""Shared ending for the test processes that run real DDP."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

import torch
import torch.multiprocessing as mp


def close_process_group() -> None:
    """Close the gloo group on every rank together.

    Left to interpreter shutdown, one rank can tear its group down while another still
    talks to it, and gloo's threads then abort that process ("terminate called without an
    active exception", exit code -6) after the test's work is done.
    """
    if torch.distributed.is_initialized():
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()


def run_two_ranks(rank_main: Callable[..., None], *args: Any, timeout: float = 300
                  ) -> list[Any]:
    """Runs ``rank_main(rank, port, queue, *args)`` in two spawned processes (ranks 0 and 1
    on a free local port) and returns what each put on ``queue``, sorted by rank (each
    puts one tuple starting with its rank). Both must exit with status 0."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    context = mp.get_context("spawn")
    queue = context.Queue()
    processes = [context.Process(target=rank_main, args=(rank, port, queue, *args))
                 for rank in (0, 1)]
    for process in processes:
        process.start()
    try:
        results = sorted((queue.get(timeout=timeout) for _ in processes), key=lambda r: r[0])
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    assert all(process.exitcode == 0 for process in processes)
    return results


def join_group(rank: int, port: int) -> None:
    """The environment of ``rank`` in a 2-process group on ``port`` (one thread)."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), WORLD_SIZE="2",
                      RANK=str(rank), LOCAL_RANK=str(rank), NODE_RANK="0")
    torch.set_num_threads(1)
