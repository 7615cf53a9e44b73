"""``WideAndDeep``: a deep stack and a wide (linear) layer reading the same input, their
outputs added, trained jointly (Cheng et al., 2016).

The wide layer (an [`NGramBag`][seqkit.NGramBag] for text) is a linear model of its own,
so the sum starts as good as the deep stack and training can lean on either: on small
text sets the deep path alone often trails a bag-of-words baseline, and the wide path
keeps the model from falling below it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn

from seqkit._checks import sequence_of_layers
from seqkit.errors import ConfigError, InputTypeError, explain
from seqkit.layers.base import Layer, LayerOutput, Shape, layer_from_spec, register
from seqkit.layers.bidirectional import Bidirectional
from seqkit.layers.core import Dense
from seqkit.layers.recurrent import RecurrentLayer
from seqkit.layers.state import RecurrentState

__all__ = ["OUTPUT_ACTIVATIONS", "WideAndDeep"]

OUTPUT_ACTIVATIONS = (None, "sigmoid", "softmax")
"""What ``WideAndDeep`` may apply to the sum of its two outputs."""


@register
class WideAndDeep(Layer):
    """``activation(deep(x) + wide(x) + logit_offset)``: two paths over one input, one
    output. ``logit_offset`` is a saved buffer of zeros that a preset may set (e.g. a
    correction towards rare classes chosen on validation data).

    Args:
        deep: The deep stack (layers or ``{"class_name", "config"}`` dicts), ending
            without a time axis; its first layer reads the input (e.g. an ``Embedding``).
        wide: One layer reading the same input with the deep stack's output size (e.g.
            ``NGramBag`` or ``TfidfLinear``).
        activation: ``None``, ``"sigmoid"`` or ``"softmax"``, applied to the sum (so the
            layer can output class probabilities).
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> layer = sk.WideAndDeep([sk.Embedding(10, 4, mask_zero=True), sk.GRU(3),
        ...                         sk.Dense(2)], sk.NGramBag(2, vocab_size=10),
        ...                        activation="softmax")
        >>> probabilities = layer(torch.tensor([[3, 4, 0], [5, 0, 0]])).values
        >>> tuple(probabilities.shape), bool(torch.allclose(probabilities.sum(1),
        ...                                                 torch.ones(2)))
        ((2, 2), True)
    """

    checks_features = False

    def __init__(self, deep: Sequence[Layer | dict[str, Any]], wide: Layer | dict[str, Any],
                 activation: str | None = None, *, name: str | None = None) -> None:
        super().__init__(name=name)
        if activation not in OUTPUT_ACTIVATIONS:
            raise ConfigError(explain("WideAndDeep activation",
                                      expected="None, 'sigmoid' or 'softmax'",
                                      received=f"activation={activation!r}"))
        self.activation = activation
        layers = [_layer(spec) for spec in sequence_of_layers(deep, "deep", "WideAndDeep")]
        if not layers:
            raise ConfigError(explain("WideAndDeep deep", expected="at least one layer",
                                      received="an empty list",
                                      fix="pass e.g. [sk.Embedding(...), sk.GRU(32), "
                                          "sk.Dense(2)]"))
        self.deep = nn.ModuleList(layers)
        self.wide = _layer(wide)
        self.input_ranks = self.deep[0].input_ranks  # type: ignore[misc]
        self.rank_fix = self.deep[0].rank_fix  # type: ignore[misc]

    @property
    def input_layer(self) -> Layer:
        """The deep stack's first layer: what the model's input must suit."""
        return self.deep[0]  # type: ignore[return-value]

    def get_config(self) -> dict[str, Any]:
        return {"deep": [_spec(layer) for layer in self.deep], "wide": _spec(self.wide),
                "activation": self.activation, "name": self.name}

    def extra_repr(self) -> str:
        return f"activation={self.activation!r}"  # the two paths print below

    def add_head(self, units: int, activation: str | None) -> None:
        """Appends ``Dense(units)`` to the deep stack, sizes the wide layer to ``units``
        (its ``resize``) and sets the activation of the sum: a classifier's head, before
        the layer is built."""
        if self.built:
            raise ConfigError(explain(f"{self.label} head", expected="an unbuilt layer",
                                      received="a built one", fix="add the head first"))
        if activation not in OUTPUT_ACTIVATIONS:
            raise ConfigError(explain("WideAndDeep activation",
                                      expected="None, 'sigmoid' or 'softmax'",
                                      received=f"activation={activation!r}"))
        self.deep.append(Dense(units, name="classifier"))
        self.wide.resize(units=units)  # type: ignore[operator]
        self.activation = activation

    def resize_vocabulary(self, vocab_size: int) -> None:
        """Gives every layer with a ``vocab_size`` (the embedding, the wide layer) this
        vocabulary size, before the layer is built."""
        if self.built:
            return
        for layer in [self.deep[0], self.wide]:
            if hasattr(layer, "vocab_size"):
                if hasattr(layer, "resize"):
                    layer.resize(vocab_size=vocab_size)  # type: ignore[operator]
                else:
                    layer.vocab_size = vocab_size

    # -- shapes ----------------------------------------------------------------------------
    def check_input_shape(self, input_shape: Shape) -> None:
        self.deep[0].check_input_shape(input_shape)  # type: ignore[operator]

    def _deep_shape(self, input_shape: Shape) -> Shape:
        shape = input_shape
        for layer in self.deep:
            shape = layer.compute_output_shape(shape)  # type: ignore[operator]
        return shape

    def _build(self, input_shape: Shape) -> None:
        shape = input_shape
        for layer in self.deep:
            layer.build(shape)  # type: ignore[operator]
            shape = layer.compute_output_shape(shape)  # type: ignore[operator]
        self.wide.build(input_shape)  # type: ignore[operator]
        wide_shape = self.wide.compute_output_shape(input_shape)  # type: ignore[operator]
        # A fixed shift of the summed logits (zero unless set, e.g. a preset's prior
        # correction for rare classes); saved with the weights.
        self.register_buffer("logit_offset", torch.zeros(int(shape[-1] or 1)))
        if len(shape) != 2 or tuple(wide_shape) != tuple(shape):
            raise ConfigError(explain(
                "WideAndDeep outputs", expected="deep and wide outputs of one shape "
                "(batch, features)", received=f"deep {tuple(shape)}, wide {tuple(wide_shape)}",
                fix="end the deep stack with pooling and a Dense of the wide layer's units"))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return self._deep_shape(input_shape)

    # -- forward ---------------------------------------------------------------------------
    def call(self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
             ) -> LayerOutput:
        deep, deep_lengths = values, lengths
        for layer in self.deep:
            if isinstance(layer, RecurrentLayer | Bidirectional):
                deep, deep_lengths, _ = layer(deep, deep_lengths, None, None, False)
            else:
                deep, deep_lengths, _ = layer(deep, deep_lengths, None)
        total = deep + self.wide(values, lengths, None).values + self.logit_offset
        if self.activation == "sigmoid":
            total = torch.sigmoid(total)
        elif self.activation == "softmax":
            total = torch.softmax(total, dim=-1)
        return LayerOutput(total, None, state)


def _layer(spec: Layer | dict[str, Any]) -> Layer:
    if isinstance(spec, Layer):
        return spec
    if isinstance(spec, dict):
        return layer_from_spec(spec, "WideAndDeep layer config")
    raise InputTypeError(explain("WideAndDeep layers", expected="seqkit layers or their "
                                 "{'class_name', 'config'} dicts",
                                 received=type(spec).__name__))


def _spec(layer: nn.Module) -> dict[str, Any]:
    return {"class_name": type(layer).__name__, "config": layer.get_config()}  # type: ignore[operator]
