"""Recurrent state in seqkit's one layout: batch-major, ``(batch, num_layers * directions, units)``.

PyTorch keeps ``h_0``/``c_0`` and ``h_n``/``c_n`` time-major-like, as
``(num_layers * num_directions, batch, hidden)``, *even with* ``batch_first=True``. That
trips users who slice states per sample. seqkit shows states batch-major everywhere, like
its inputs and outputs, and converts to PyTorch's layout only inside the recurrent layers.

For each sample the second axis is ordered like PyTorch's: layer 0 forward, layer 0
backward (bidirectional only), layer 1 forward, ...

Examples:
    >>> import torch
    >>> state = RecurrentState(h=torch.zeros(4, 2, 8), c=torch.zeros(4, 2, 8))
    >>> state.to_torch()[0].shape   # what nn.LSTM takes as h_0
    torch.Size([2, 4, 8])
    >>> RecurrentState.from_torch(state.to_torch()).h.shape
    torch.Size([4, 2, 8])
"""

from __future__ import annotations

from typing import NamedTuple

from torch import Tensor

__all__ = ["RecurrentState"]


class RecurrentState(NamedTuple):
    """Final or initial state of a recurrent layer, batch-major.

    Attributes:
        h: Hidden state, shape ``(batch, num_layers * directions, units)``.
        c: Cell state of an LSTM (same shape as ``h``); ``None`` for a GRU.
    """

    h: Tensor
    c: Tensor | None = None

    def to_torch(self) -> Tensor | tuple[Tensor, Tensor]:
        """Converts to what ``nn.LSTM`` (a tuple) or ``nn.GRU`` (a tensor) takes."""
        h = self.h.transpose(0, 1).contiguous()
        if self.c is None:
            return h
        return h, self.c.transpose(0, 1).contiguous()

    @classmethod
    def from_torch(cls, state: Tensor | tuple[Tensor, Tensor]) -> RecurrentState:
        """Converts what ``nn.LSTM``/``nn.GRU`` return as ``h_n`` (and ``c_n``)."""
        if isinstance(state, tuple):
            h, c = state
            return cls(h.transpose(0, 1), c.transpose(0, 1))
        return cls(state.transpose(0, 1))

    def detach(self) -> RecurrentState:
        """The same state cut from the autograd graph (for carrying across batches)."""
        return RecurrentState(self.h.detach(), None if self.c is None else self.c.detach())
