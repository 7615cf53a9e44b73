"""Keras weights into seqkit layers, for the compat tests (Keras 3 is the oracle).

Layouts: Keras's kernels are ``(in, gates * units)``, torch's ``(gates * units, in)``;
LSTM gates i, f, c, o are torch's i, f, g, o; GRU gates z, r, h are torch's r, z, n (so
blocks 0 and 1 swap); Keras's LSTM bias is torch's ``bias_ih + bias_hh``, its GRU bias
``(2, 3 * units)`` is ``(bias_ih, bias_hh)``. Without a bias (``use_bias=False``) a Keras
layer holds ``[kernel, recurrent_kernel]`` only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor

import seqkit as sk

__all__ = ["copy_from_keras", "copy_layer", "keras_weights_of"]


def _numpy(weight: object) -> Tensor:
    return torch.from_numpy(np.asarray(weight))


def _gates(kind: str, matrix: Tensor) -> Tensor:
    """Keras's gate blocks (last axis) in torch's order; its own inverse."""
    if kind == "LSTM":
        return matrix
    z, r, h = torch.chunk(matrix, 3, dim=-1)
    return torch.cat([r, z, h], dim=-1)


def keras_weights_of(layer: sk.LSTM | sk.GRU, suffix: str = "_l0") -> list[Tensor]:
    """A seqkit direction's weights in Keras's layout and gate order."""
    rnn, kind = layer.rnn, type(layer).__name__
    kernel = _gates(kind, getattr(rnn, f"weight_ih{suffix}").detach().T)
    recurrent = _gates(kind, getattr(rnn, f"weight_hh{suffix}").detach().T)
    bias_ih = _gates(kind, getattr(rnn, f"bias_ih{suffix}").detach())
    bias_hh = _gates(kind, getattr(rnn, f"bias_hh{suffix}").detach())
    bias = bias_ih + bias_hh if kind == "LSTM" else torch.stack([bias_ih, bias_hh])
    return [kernel, recurrent, bias]


def copy_from_keras(source: Sequence[object], layer: sk.LSTM | sk.GRU, suffix: str = "_l0"
                    ) -> None:
    """Keras's ``[kernel, recurrent_kernel(, bias)]`` into one seqkit direction."""
    rnn, kind = layer.rnn, type(layer).__name__
    kernel, recurrent, *bias = (_numpy(w) for w in source)
    with torch.no_grad():
        getattr(rnn, f"weight_ih{suffix}").copy_(_gates(kind, kernel).T)
        getattr(rnn, f"weight_hh{suffix}").copy_(_gates(kind, recurrent).T)
        if not bias:
            return
        if kind == "LSTM":
            getattr(rnn, f"bias_ih{suffix}").copy_(bias[0])
            getattr(rnn, f"bias_hh{suffix}").zero_()
        else:
            getattr(rnn, f"bias_ih{suffix}").copy_(_gates(kind, bias[0][0]))
            getattr(rnn, f"bias_hh{suffix}").copy_(_gates(kind, bias[0][1]))


def copy_layer(source: object, layer: sk.layers.Layer) -> None:
    """A built Keras layer's weights into the built seqkit layer of the same kind (LSTM,
    GRU, Bidirectional of one of them, Dense, Embedding; others hold none)."""
    weights = source.get_weights()
    if isinstance(layer, sk.Bidirectional):
        layer = layer.layer
    if isinstance(layer, sk.LSTM | sk.GRU):
        half = len(weights) // layer.directions
        copy_from_keras(weights[:half], layer, "_l0")
        if layer.directions == 2:
            copy_from_keras(weights[half:], layer, "_l0_reverse")
    elif isinstance(layer, sk.Dense):
        with torch.no_grad():
            layer.linear.weight.copy_(_numpy(weights[0]).T)
            if len(weights) > 1:
                layer.linear.bias.copy_(_numpy(weights[1]))
    elif isinstance(layer, sk.Embedding):
        with torch.no_grad():
            layer.embedding.weight.copy_(_numpy(weights[0]))
    else:
        assert not weights, f"no copy for {type(layer).__name__}"
