"""Keras's weight methods of ``Sequential``: ``get_weights`` / ``set_weights`` in Keras's
layout, ``count_params``, ``get_layer``, ``save_weights`` / ``load_weights``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save

from seqkit.errors import (
    ConfigError,
    InputError,
    InputTypeError,
    ModelFileError,
    ModelFileNotFoundError,
    explain,
)
from seqkit.layers.base import Layer
from seqkit.layers.keras_weights import get_layer_weights, layer_weight_names, set_layer_weights
from seqkit.saving.atomic import write_atomically

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["KerasWeights"]

_WEIGHTS_SUFFIX = ".safetensors"


class KerasWeights:
    """Mixin of ``Sequential`` with Keras's weight methods."""

    def get_weights(self: Sequential) -> list[np.ndarray]:
        """Every layer's weights as numpy arrays, in Keras's layout and order, so that
        ``keras_model.set_weights(model.get_weights())`` gives a Keras twin the same
        outputs (and ``model.set_weights(keras_model.get_weights())`` the reverse).

        The layouts per layer are those of [`seqkit.layers.keras_weights`][]: e.g. an
        LSTM's ``kernel (in, 4 * units)``, ``recurrent_kernel (units, 4 * units)`` and one
        ``bias``. Preprocessing steps' state is not among them (``save`` keeps it).

        Examples:
            >>> import seqkit as sk
            >>> model = sk.Sequential([sk.Input((7, 3)), sk.LSTM(4), sk.Dense(1)])
            >>> [w.shape for w in model.get_weights()]
            [(3, 16), (4, 16), (16,), (4, 1), (1,)]
        """
        self._require_built("get_weights")
        return [array for layer in self.layers for array in get_layer_weights(layer)]

    def set_weights(self: Sequential, weights: Sequence[Any]) -> None:
        """Sets every layer's weights from arrays in Keras's layout and order (what
        [`get_weights`][seqkit.models.Sequential.get_weights] or a Keras twin's
        ``get_weights()`` returns). All shapes are checked before anything is written.

        Raises:
            ConfigError: A different number of arrays than the model holds.
            InputError: An array whose shape differs from its weight's.
        """
        self._require_built("set_weights")
        if not isinstance(weights, list | tuple):
            raise InputTypeError(explain("Sequential.set_weights",
                                         expected="a list of arrays (get_weights()'s)",
                                         received=f"a {type(weights).__name__}"))
        counts = [len(layer_weight_names(layer)) for layer in self.layers]
        if len(weights) != sum(counts):
            names = [f"{layer.name}: {count}" for layer, count in zip(self.layers, counts,
                                                                       strict=True)]
            raise ConfigError(explain(
                "Sequential.set_weights", expected=f"{sum(counts)} arrays ({', '.join(names)})",
                received=f"{len(weights)} arrays",
                fix="pass the arrays of get_weights() of a model with the same layers"))
        start = 0
        staged: list[tuple[Layer, Sequence[Any]]] = []
        for layer, count in zip(self.layers, counts, strict=True):
            staged.append((layer, weights[start:start + count]))
            start += count
        for layer, arrays in staged:  # shapes first: a wrong one changes nothing
            _check_shapes(layer, arrays)
        for layer, arrays in staged:
            set_layer_weights(layer, arrays)

    def count_params(self: Sequential) -> int:
        """The number of weight values, as Keras counts them: the sizes of
        [`get_weights`][seqkit.models.Sequential.get_weights]'s arrays (an LSTM's two torch
        biases count once, as Keras's one bias).

        Examples:
            >>> import seqkit as sk
            >>> sk.Sequential([sk.Input((5, 2)), sk.LSTM(3), sk.Dense(1)]).count_params()
            76
        """
        return sum(int(array.size) for array in self.get_weights())

    def get_layer(self: Sequential, name: str | None = None, index: int | None = None
                  ) -> Layer:
        """A layer by name or by position (Keras's ``get_layer``).

        Examples:
            >>> import seqkit as sk
            >>> model = sk.Sequential([sk.LSTM(3), sk.Dense(1, name="head")])
            >>> model.get_layer("head").units, type(model.get_layer(index=0)).__name__
            (1, 'LSTM')
        """
        if (name is None) == (index is None):
            raise ConfigError(explain("Sequential.get_layer", expected="a name or an index",
                                      received=f"name={name!r}, index={index!r}",
                                      fix="pass one of them: get_layer('dense') or "
                                      "get_layer(index=0)"))
        if index is not None:
            if not isinstance(index, int) or not -len(self.layers) <= index < len(self.layers):
                raise ConfigError(explain(
                    "Sequential.get_layer index",
                    expected=f"an integer in [-{len(self.layers)}, {len(self.layers)})",
                    received=f"index={index!r}"))
            return self.layers[index]
        if name not in self.blocks:
            raise ConfigError(explain("Sequential.get_layer", expected=f"one of "
                                      f"{list(self.blocks)}", received=f"name={name!r}"))
        return self.blocks[name]  # type: ignore[return-value]

    def save_weights(self: Sequential, filepath: str | os.PathLike[str]) -> Path:
        """Writes [`get_weights`][seqkit.models.Sequential.get_weights]'s arrays to a
        ``.safetensors`` file (atomically: a failed write leaves an older file intact).

        Examples:
            >>> import tempfile, pathlib, seqkit as sk
            >>> model = sk.Sequential([sk.Input((3,)), sk.Dense(2)])
            >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.weights.safetensors"
            >>> copy = sk.Sequential([sk.Input((3,)), sk.Dense(2)])
            >>> copy.load_weights(model.save_weights(path))
            >>> bool((copy.get_weights()[0] == model.get_weights()[0]).all())
            True
        """
        path = _weights_path(filepath)
        named = {f"{index:04d}": np.ascontiguousarray(array)
                 for index, array in enumerate(self.get_weights())}
        data = save(named, metadata={"layout": "keras"})
        write_atomically(path, lambda file: file.write(data))
        return path

    def load_weights(self: Sequential, filepath: str | os.PathLike[str]) -> None:
        """Reads a file of [`save_weights`][seqkit.models.Sequential.save_weights] into
        this model (built, with the same layers)."""
        path = _weights_path(filepath)
        if not path.is_file():
            raise ModelFileNotFoundError(explain("load_weights", expected="a weights file",
                                                 received=f"{str(path)!r} does not exist"))
        try:
            arrays = load_file(path)
        except (SafetensorError, OSError, ValueError) as error:
            raise ModelFileError(explain("load_weights", expected="a .safetensors file",
                                         received=f"{str(path)!r}: {error}")) from None
        self.set_weights([arrays[key] for key in sorted(arrays)])


def _check_shapes(layer: Layer, arrays: Sequence[Any]) -> None:
    for index, (current, array) in enumerate(zip(get_layer_weights(layer), arrays,
                                                 strict=True)):
        shape = tuple(array.shape) if hasattr(array, "shape") else np.shape(array)
        if shape != current.shape:
            name = layer_weight_names(layer)[index]
            raise InputError(explain(f"{layer.label} weight {index} ({name})",
                                     expected=f"shape {current.shape} (Keras's layout)",
                                     received=f"shape {shape}"))


def _weights_path(filepath: str | os.PathLike[str]) -> Path:
    if not isinstance(filepath, str | os.PathLike):
        raise InputTypeError(explain("weights filepath", expected="a path",
                                     received=f"a {type(filepath).__name__}"))
    path = Path(filepath)
    if path.suffix == "":
        return path.with_name(path.name + _WEIGHTS_SUFFIX)
    if path.suffix != _WEIGHTS_SUFFIX:
        raise ConfigError(explain("weights filepath", expected=f"a {_WEIGHTS_SUFFIX} name",
                                  received=f"{str(filepath)!r}",
                                  fix="name it e.g. 'model.weights.safetensors'"))
    return path
