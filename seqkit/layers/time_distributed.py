"""``TimeDistributed``: one layer applied to every time step, as one batched call."""

from __future__ import annotations

from typing import Any

from torch import Tensor

from seqkit.errors import ConfigError, InputError, InputTypeError, SeqkitError, explain
from seqkit.layers.base import Layer, LayerOutput, Shape, layer_from_spec, register
from seqkit.layers.batch_normalization import BatchNormalization
from seqkit.layers.input import Input
from seqkit.layers.masking import Masking
from seqkit.layers.pooling import zero_padding
from seqkit.layers.state import RecurrentState

__all__ = ["TimeDistributed"]

def _inner(layer: Any) -> Layer:
    if isinstance(layer, dict):
        layer = layer_from_spec(layer, "TimeDistributed layer")
    if not isinstance(layer, Layer):
        raise InputTypeError(explain(
            "TimeDistributed layer", expected="a seqkit layer (or its {'class_name', "
            "'config'} spec)", received=f"{type(layer).__name__}",
            fix="wrap a layer such as sk.Dense(1) or sk.Conv1D(8, 3)"))
    if isinstance(layer, Masking | Input | TimeDistributed):  # about the time axis itself
        raise ConfigError(explain(
            "TimeDistributed layer", expected="a layer that maps one step (a vector, or a "
            "sub-sequence)", received=type(layer).__name__,
            fix=f"use {type(layer).__name__} on its own, without TimeDistributed"))
    if getattr(layer, "stateful", False) or getattr(getattr(layer, "layer", None),
                                                    "stateful", False):
        raise ConfigError(explain(
            "TimeDistributed layer", expected="a layer without state across batches",
            received=f"{layer.label} with stateful=True",
            fix="use stateful=False inside TimeDistributed (its rows are batch x time "
            "steps, not the same sequences from batch to batch)"))
    if layer.built:
        raise ConfigError(explain(
            "TimeDistributed layer", expected="a new (unbuilt) layer",
            received=f"{layer.label}, already built", fix="wrap a fresh layer"))
    return layer


@register
class TimeDistributed(Layer):
    """Applies ``layer`` to every time step: ``(batch, time, *step) -> (batch, time,
    *layer's output)``, as Keras's ``TimeDistributed``.

    The steps are folded into the batch and ``layer`` runs once on ``(batch * time,
    *step)`` (no Python loop over time), so its weights are shared by all steps. A step
    may itself be a sequence: ``TimeDistributed(Conv1D(...))`` on ``(batch, windows,
    steps, features)`` is the classic CNN-LSTM front end. On a padded batch the lengths
    pass through and padded steps come out as zeros. ``Dense`` and the element-wise
    layers already act per step on a sequence; wrapped, they give the same result. A
    wrapped ``BatchNormalization`` is called on the whole batch, so its statistics keep
    to the valid steps.

    Refused: ``Masking`` and ``Input`` (they are about the time axis), a stateful
    recurrent layer, another ``TimeDistributed``, and an already built layer; a layer that
    cannot take one step (``LSTM`` on the vector steps of a ``(batch, time, features)``
    input) fails at build with the step shape it was given.

    Args:
        layer: The layer to apply to each step, or its ``{"class_name", "config"}`` spec.
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> out = sk.TimeDistributed(sk.Dense(2))(torch.randn(3, 5, 4), torch.tensor([5, 3, 1]))
        >>> tuple(out.values.shape), out.lengths.tolist()
        ((3, 5, 2), [5, 3, 1])
        >>> windows = torch.randn(2, 6, 8, 1)  # 6 windows of 8 steps, 1 feature
        >>> tuple(sk.TimeDistributed(sk.Conv1D(4, 3))(windows).values.shape)
        (2, 6, 6, 4)
    """

    input_ranks = (3, 4, 5)
    checks_features = False

    def __init__(self, layer: Layer | dict[str, Any], *, name: str | None = None) -> None:
        super().__init__(name=name)
        self.layer = _inner(layer)

    def get_config(self) -> dict[str, Any]:
        return {"layer": {"class_name": type(self.layer).__name__,
                          "config": self.layer.get_config()}, "name": self.name}

    def _direct(self) -> bool:
        return isinstance(self.layer, BatchNormalization)

    def _build(self, input_shape: Shape) -> None:
        step = (None, *input_shape[2:])
        try:
            self.layer.build(input_shape if self._direct() else step)
        except SeqkitError as error:
            raise type(error)(explain(
                f"{self.label} input", expected=f"steps that {self.layer.label} takes",
                received=f"shape {tuple(input_shape)}: steps of shape {step}",
                fix="TimeDistributed gives the wrapped layer one step at a time; a "
                f"recurrent or Conv1D layer needs steps that are sequences: (batch, time, "
                f"steps, features). Details: {error}")) from error

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if self._direct():
            return self.layer.compute_output_shape(input_shape)
        step = self.layer.compute_output_shape((None, *input_shape[2:]))
        return (input_shape[0], input_shape[1], *step[1:])

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        if self._direct():
            return LayerOutput(self.layer(values, lengths).values, lengths, state)
        batch, time = values.shape[:2]
        if values.dim() - 1 not in self.layer.input_ranks:
            raise InputError(explain(
                f"{self.label} input", expected=f"steps that {self.layer.label} takes",
                received=f"shape {tuple(values.shape)}",
                fix="give the shape the layer was built for"))
        out = self.layer(values.reshape(batch * time, *values.shape[2:])).values
        out = out.reshape(batch, time, *out.shape[1:])
        return LayerOutput(zero_padding(out, lengths), lengths, state)
