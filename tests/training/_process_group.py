"""Shared ending for the test processes that run real DDP."""

from __future__ import annotations

import torch


def close_process_group() -> None:
    """Close the gloo group on every rank together.

    Left to interpreter shutdown, one rank can tear its group down while another still
    talks to it, and gloo's threads then abort that process ("terminate called without an
    active exception", exit code -6) after the test's work is done.
    """
    if torch.distributed.is_initialized():
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()
