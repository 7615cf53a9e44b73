"""Keras's initial weights on a fused ``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN``, layer by layer
and direction by direction.

Keras's LSTM holds ``kernel (in, 4u)``, ``recurrent_kernel (u, 4u)`` and one ``bias (4u,)``;
torch holds ``weight_ih (4u, in)``, ``weight_hh (4u, u)`` and two biases whose sum is
Keras's. Gates i, f, c, o are torch's i, f, g, o. A GRU (Keras's ``reset_after=True``) has a
``(2, 3u)`` bias: its rows are torch's ``bias_ih`` and ``bias_hh``. A ``SimpleRNN`` holds
``kernel (in, u)``, ``recurrent_kernel (u, u)`` and one ``bias (u,)``, like an LSTM's.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from seqkit.layers.initializers import Initializer, initialize

__all__ = ["initialize_rnn"]


def initialize_rnn(rnn: nn.LSTM | nn.GRU, kernel: Initializer, recurrent: Initializer,
                   bias: Initializer, unit_forget_bias: bool = False) -> None:
    """Draws every weight of ``rnn`` as Keras draws its layers' (each stacked layer and
    each direction on its own).

    Args:
        rnn: The fused module.
        kernel: Initialiser of each input kernel (fans of Keras's ``(in, gates * units)``).
        recurrent: Initialiser of each recurrent kernel (Keras's ``(units, gates * units)``).
        bias: Initialiser of Keras's bias; ``"torch"`` keeps torch's two biases.
        unit_forget_bias: LSTM only: start the forget gate's bias at 1, as Keras does.

    Examples:
        >>> rnn = nn.LSTM(5, 3, batch_first=True)
        >>> initialize_rnn(rnn, "glorot_uniform", "orthogonal", "zeros", unit_forget_bias=True)
        >>> (rnn.bias_ih_l0 + rnn.bias_hh_l0).tolist()  # forget gate: 1
        [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        >>> w = rnn.weight_hh_l0.detach()  # torch's (4 * units, units) = Keras's, transposed
        >>> torch.allclose(w.T @ w, torch.eye(3), atol=1e-5)
        True
    """
    units = rnn.hidden_size
    width = rnn.weight_hh_l0.shape[0]  # gates * units
    for layer in range(rnn.num_layers):
        for direction in range(2 if rnn.bidirectional else 1):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            weight_ih = getattr(rnn, f"weight_ih{suffix}")
            initialize(kernel, weight_ih, (weight_ih.shape[1], width))
            initialize(recurrent, getattr(rnn, f"weight_hh{suffix}"), (units, width))
            if not rnn.bias:
                continue
            bias_ih, bias_hh = getattr(rnn, f"bias_ih{suffix}"), getattr(rnn, f"bias_hh{suffix}")
            if isinstance(rnn, nn.LSTM | nn.RNN):  # one Keras bias (an RNN: no gates)
                _lstm_bias(bias_ih, bias_hh, bias, units, unit_forget_bias)
            else:
                _gru_bias(bias_ih, bias_hh, bias)


def _lstm_bias(bias_ih: Tensor, bias_hh: Tensor, bias: Initializer, units: int,
               unit_forget_bias: bool) -> None:
    """Keras's ``(4u,)`` bias into ``bias_ih`` (``bias_hh`` zero and frozen, so the bias
    trains at Keras's rate); ``unit_forget_bias``
    draws the blocks around the forget gate as Keras does (``(u,)``, ``(2u,)``)."""
    with torch.no_grad():
        if bias == "torch":
            if unit_forget_bias:
                bias_hh[units:2 * units].zero_()
        else:
            # Keras has one bias, torch two that both get the full gradient: a trained
            # bias_hh would make the sum learn twice as fast as Keras's. Keep it at zero.
            bias_hh.zero_()
            bias_hh.requires_grad_(False)
            if unit_forget_bias:
                initialize(bias, bias_ih[:units], (units,))
                initialize(bias, bias_ih[2 * units:], (2 * units,))
            else:
                initialize(bias, bias_ih, (bias_ih.shape[0],))
        if unit_forget_bias:
            bias_ih[units:2 * units].fill_(1.0)


def _gru_bias(bias_ih: Tensor, bias_hh: Tensor, bias: Initializer) -> None:
    """Keras's ``(2, 3u)`` bias: row 0 into ``bias_ih``, row 1 into ``bias_hh``."""
    if bias == "torch":
        return
    with torch.no_grad():
        both = torch.empty(2, bias_ih.shape[0], dtype=bias_ih.dtype, device=bias_ih.device)
        initialize(bias, both, tuple(both.shape))
        bias_ih.copy_(both[0])
        bias_hh.copy_(both[1])
