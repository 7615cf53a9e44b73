"""Weights in Keras's layout and order: what ``get_weights`` / ``set_weights`` exchange.

One function pair per layer kind turns a built seqkit layer's torch parameters into the
arrays a Keras layer holds, and back:

* ``LSTM``: ``kernel (in, 4 * units)``, ``recurrent_kernel (units, 4 * units)``, ``bias
  (4 * units,)``. Keras's gates i, f, c, o are torch's i, f, g, o; its one bias is torch's
  ``bias_ih + bias_hh`` (set, it goes to ``bias_ih`` with ``bias_hh`` zero).
* ``GRU`` (Keras's ``reset_after=True``): ``kernel (in, 3 * units)``, ``recurrent_kernel
  (units, 3 * units)``, ``bias (2, 3 * units)`` = ``(bias_ih, bias_hh)``. Keras's gates
  z, r, h are torch's r, z, n: the first two blocks swap.
* Without a bias (``use_bias=False``) a recurrent layer has no bias array, as in Keras.
* A block with ``num_layers > 1`` is that many Keras layers in order, and a bidirectional
  one (or a [`Bidirectional`][seqkit.layers.Bidirectional]) holds, per layer, the forward
  direction's arrays then the backward one's, as Keras's ``Bidirectional`` orders them.
* ``Dense``: ``kernel (in, units)``, ``bias (units,)``; ``Embedding``: ``embeddings
  (vocab_size, output_dim)``; ``LayerNormalization``: ``gamma``, ``beta``.
* ``Conv1D``: ``kernel (kernel_size, in / groups, filters)`` (torch's ``(filters, in /
  groups, kernel_size)`` transposed), ``bias (filters,)``.
* ``BatchNormalization``: ``gamma``, ``beta`` (each only with ``scale`` / ``center``),
  ``moving_mean``, ``moving_variance``; ``TimeDistributed``: its layer's arrays.
* ``MultiHeadAttention``: per projection (query, key, value, attention_output) Keras's
  ``EinsumDense`` kernel ``(in, heads, key_dim)`` (the output's ``(heads, value_dim,
  out)``) and bias ``(heads, key_dim)`` (the output's ``(out,)``).
* An [`Ensemble`][seqkit.layers.Ensemble] (no Keras twin) lists each member's layers in
  order; other layers with parameters give them as torch holds them.

Examples:
    >>> import seqkit as sk
    >>> lstm = sk.LSTM(4)
    >>> lstm.build((None, 7, 3))
    >>> [tuple(w.shape) for w in get_layer_weights(lstm)]
    [(3, 16), (4, 16), (16,)]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from seqkit.errors import ConfigError, InputError, NotBuiltError, explain
from seqkit.layers.attention import MultiHeadAttention
from seqkit.layers.base import Layer
from seqkit.layers.batch_normalization import BatchNormalization
from seqkit.layers.bidirectional import Bidirectional
from seqkit.layers.convolutional import Conv1D
from seqkit.layers.core import Dense
from seqkit.layers.embedding import Embedding
from seqkit.layers.ensemble import Ensemble
from seqkit.layers.normalization import LayerNormalization
from seqkit.layers.recurrent import GRU, RecurrentLayer
from seqkit.layers.time_distributed import TimeDistributed

__all__ = ["get_layer_weights", "layer_weight_names", "set_layer_weights"]

_Named = list[tuple[str, Tensor]]


def _gates(gru: bool, matrix: Tensor) -> Tensor:
    """Keras's gate blocks (last axis) in torch's order and back: GRU's z, r swap."""
    if not gru:
        return matrix
    z, r, h = torch.chunk(matrix, 3, dim=-1)
    return torch.cat([r, z, h], dim=-1)


def _suffixes(layer: RecurrentLayer) -> list[str]:
    """torch's parameter suffixes in Keras's order: per layer, forward then backward."""
    return [f"_l{index}{direction}" for index in range(layer.num_layers)
            for direction in ("", "_reverse")[:layer.directions]]


def _recurrent_get(layer: RecurrentLayer) -> _Named:
    rnn, gru = layer.rnn, isinstance(layer, GRU)
    assert rnn is not None
    named: _Named = []
    for suffix in _suffixes(layer):
        named.append(("kernel", _gates(gru, getattr(rnn, f"weight_ih{suffix}").detach().T)))
        named.append(("recurrent_kernel",
                      _gates(gru, getattr(rnn, f"weight_hh{suffix}").detach().T)))
        if rnn.bias:
            bias_ih = _gates(gru, getattr(rnn, f"bias_ih{suffix}").detach())
            bias_hh = _gates(gru, getattr(rnn, f"bias_hh{suffix}").detach())
            named.append(("bias", torch.stack([bias_ih, bias_hh]) if gru else bias_ih + bias_hh))
    return named


def _recurrent_set(layer: RecurrentLayer, arrays: list[Tensor]) -> None:
    rnn, gru = layer.rnn, isinstance(layer, GRU)
    assert rnn is not None
    per_direction = 3 if rnn.bias else 2
    for index, suffix in enumerate(_suffixes(layer)):
        kernel, recurrent, *bias = arrays[index * per_direction:(index + 1) * per_direction]
        getattr(rnn, f"weight_ih{suffix}").copy_(_gates(gru, kernel).T)
        getattr(rnn, f"weight_hh{suffix}").copy_(_gates(gru, recurrent).T)
        if bias:
            bias_ih, bias_hh = getattr(rnn, f"bias_ih{suffix}"), getattr(rnn, f"bias_hh{suffix}")
            if gru:
                bias_ih.copy_(_gates(gru, bias[0][0]))
                bias_hh.copy_(_gates(gru, bias[0][1]))
            else:
                bias_ih.copy_(bias[0])
                bias_hh.zero_()


def _linear_get(layer: Dense) -> _Named:
    linear = layer.linear
    assert linear is not None
    named: _Named = [("kernel", linear.weight.detach().T)]
    if linear.bias is not None:
        named.append(("bias", linear.bias.detach()))
    return named


def _linear_set(layer: Dense, arrays: list[Tensor]) -> None:
    assert layer.linear is not None
    layer.linear.weight.copy_(arrays[0].T)
    if layer.linear.bias is not None:
        layer.linear.bias.copy_(arrays[1])


def _conv_get(layer: Conv1D) -> _Named:
    conv = layer.conv
    assert conv is not None
    named: _Named = [("kernel", conv.weight.detach().permute(2, 1, 0))]
    if conv.bias is not None:
        named.append(("bias", conv.bias.detach()))
    return named


def _conv_set(layer: Conv1D, arrays: list[Tensor]) -> None:
    assert layer.conv is not None
    layer.conv.weight.copy_(arrays[0].permute(2, 1, 0))
    if layer.conv.bias is not None:
        layer.conv.bias.copy_(arrays[1])


def _parameters(module: nn.Module, names: Sequence[str]) -> _Named:
    return [(name, parameter.detach())
            for name, parameter in zip(names, module.parameters(), strict=False)]


def _embedding_get(layer: Embedding) -> _Named:
    assert layer.embedding is not None
    return [("embeddings", layer.embedding.weight.detach())]


def _norm_get(layer: LayerNormalization) -> _Named:
    assert layer.norm is not None
    return _parameters(layer.norm, ("gamma", "beta"))


def _batch_norm_get(layer: BatchNormalization) -> _Named:
    named: _Named = [(name, getattr(layer, name).detach())
                     for name in ("gamma", "beta") if getattr(layer, name) is not None]
    assert layer.moving_mean is not None and layer.moving_variance is not None
    return [*named, ("moving_mean", layer.moving_mean), ("moving_variance",
                                                         layer.moving_variance)]


def _batch_norm_set(layer: BatchNormalization, arrays: list[Tensor]) -> None:
    for (_, tensor), array in zip(_batch_norm_get(layer), arrays, strict=True):
        tensor.copy_(array)


def _copy_parameters(module: nn.Module, arrays: list[Tensor]) -> None:
    for parameter, array in zip(module.parameters(), arrays, strict=True):
        parameter.copy_(array)


def _ensemble_layers(layer: Ensemble) -> list[Layer]:
    return [inner for member in layer.members for inner in member]  # type: ignore[union-attr]


def _ensemble_get(layer: Ensemble) -> _Named:
    return [item for inner in _ensemble_layers(layer) for item in _named(inner)]


def _ensemble_set(layer: Ensemble, arrays: list[Tensor]) -> None:
    start = 0
    for inner in _ensemble_layers(layer):
        count = len(_named(inner))
        _set(inner, arrays[start:start + count])
        start += count


def _other_get(layer: Layer) -> _Named:
    return [(name, parameter.detach()) for name, parameter in layer.named_parameters()]


_KINDS: list[tuple[type[Layer], Callable[[Any], _Named], Callable[[Any, list[Tensor]], None]]] = [
    (RecurrentLayer, _recurrent_get, _recurrent_set),
    (Bidirectional, lambda layer: _recurrent_get(layer.core),
     lambda layer, arrays: _recurrent_set(layer.core, arrays)),
    (Dense, _linear_get, _linear_set),
    (Conv1D, _conv_get, _conv_set),
    (BatchNormalization, _batch_norm_get, _batch_norm_set),
    (TimeDistributed, lambda layer: _named(layer.layer),
     lambda layer, arrays: _set(layer.layer, arrays)),
    (Embedding, _embedding_get, lambda layer, arrays: _copy_parameters(layer, arrays)),
    (LayerNormalization, _norm_get, lambda layer, arrays: _copy_parameters(layer, arrays)),
    (Ensemble, _ensemble_get, _ensemble_set),
    (MultiHeadAttention, lambda layer: layer.keras_arrays(),
     lambda layer, arrays: layer.set_keras_arrays(arrays)),
]


def _kind(layer: Layer) -> tuple[Callable[[Any], _Named], Callable[[Any, list[Tensor]], None]]:
    for cls, getter, setter in _KINDS:
        if isinstance(layer, cls):
            return getter, setter
    return _other_get, _copy_parameters


def _named(layer: Layer) -> _Named:
    if not layer.built:
        raise NotBuiltError(explain(f"{layer.label} weights", expected="a built layer",
                                    received="a layer whose input size is still unknown",
                                    fix="build the model first: model.build((None, time, "
                                    "features)), Input(shape) or one fit/predict"))
    return _kind(layer)[0](layer)


def _set(layer: Layer, arrays: list[Tensor]) -> None:
    _kind(layer)[1](layer, arrays)


def get_layer_weights(layer: Layer) -> list[np.ndarray]:
    """A built layer's weights as numpy arrays (copies) in Keras's layout and order."""
    return [tensor.cpu().numpy().copy() for _, tensor in _named(layer)]


def layer_weight_names(layer: Layer) -> list[str]:
    """Keras's name of each array of [`get_layer_weights`][] (``kernel``, ``bias``...)."""
    return [name for name, _ in _named(layer)]


def set_layer_weights(layer: Layer, weights: Sequence[Any]) -> None:
    """Sets a built layer's weights from arrays in Keras's layout and order (numpy arrays,
    tensors or nested lists); every shape is checked before anything is written.

    Raises:
        ConfigError: A different number of arrays than the layer holds.
        InputError: An array whose shape is not Keras's for that weight.
    """
    named = _named(layer)
    if len(weights) != len(named):
        raise ConfigError(explain(
            f"{layer.label} set_weights", expected=f"{len(named)} arrays "
            f"({', '.join(name for name, _ in named)})", received=f"{len(weights)} arrays",
            fix="pass the arrays of the matching Keras layer's get_weights(), in order"))
    arrays: list[Tensor] = []
    for index, ((name, current), weight) in enumerate(zip(named, weights, strict=True)):
        array = torch.as_tensor(np.asarray(weight) if not isinstance(weight, Tensor)
                                else weight.detach())
        if tuple(array.shape) != tuple(current.shape):
            raise InputError(explain(
                f"{layer.label} weight {index} ({name})",
                expected=f"shape {tuple(current.shape)} (Keras's layout)",
                received=f"shape {tuple(array.shape)}"))
        arrays.append(array.to(current.device, current.dtype))
    with torch.no_grad():
        _set(layer, arrays)
