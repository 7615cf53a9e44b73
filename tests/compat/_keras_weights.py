"""Keras weights into seqkit layers, for the compat tests (Keras 3 is the oracle).

Thin wrappers over the package's mapping, [`seqkit.layers.keras_weights`][] (the one
``Sequential.get_weights`` / ``set_weights`` use): the layouts are documented there.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor

import seqkit as sk
from seqkit.layers.keras_weights import get_layer_weights, set_layer_weights

__all__ = ["copy_from_keras", "copy_layer", "keras_weights_of"]


def _numpy(weight: object) -> Tensor:
    return torch.from_numpy(np.asarray(weight))


def _direction(layer: sk.LSTM | sk.GRU, suffix: str) -> slice:
    """The arrays of one torch direction (``_l0``, ``_l0_reverse``, ...) in Keras's list."""
    per_direction = 3 if layer.rnn.bias else 2
    index = int(suffix[2:].split("_")[0]) * layer.directions + suffix.endswith("_reverse")
    return slice(index * per_direction, (index + 1) * per_direction)


def keras_weights_of(layer: sk.LSTM | sk.GRU, suffix: str = "_l0") -> list[Tensor]:
    """A seqkit direction's weights in Keras's layout and gate order."""
    return [_numpy(w) for w in get_layer_weights(layer)[_direction(layer, suffix)]]


def copy_from_keras(source: Sequence[object], layer: sk.LSTM | sk.GRU, suffix: str = "_l0"
                    ) -> None:
    """Keras's ``[kernel, recurrent_kernel(, bias)]`` into one seqkit direction."""
    weights: list[object] = list(get_layer_weights(layer))
    weights[_direction(layer, suffix)] = list(source)
    set_layer_weights(layer, weights)


def copy_layer(source: object, layer: sk.layers.Layer) -> None:
    """A built Keras layer's weights into the built seqkit layer of the same kind."""
    set_layer_weights(layer, source.get_weights())
