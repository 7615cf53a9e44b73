"""``AttentionPooling1D``: a learned query weighs each sequence's kept steps into one
vector (the attention-pooled classifier head)."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from seqkit._checks import positive_int
from seqkit.layers._sizes import check_parameter_count
from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.initializers import Initializer, check_initializer, initialize
from seqkit.layers.masks import step_mask
from seqkit.layers.state import RecurrentState

__all__ = ["AttentionPooling1D"]


@register
class AttentionPooling1D(Layer):
    """Weighted mean over each sequence's kept steps, the weights a softmax of learned
    scores: ``(batch, time, f) -> (batch, f)``.

    The score of step ``t`` is ``h_t . q`` for a learned query ``q`` (``units=None``), or
    ``tanh(h_t W + b) . q`` with a hidden projection of ``units`` (additive attention, the
    usual attention head of text classifiers). Masked steps (padding, masks) get no weight,
    so a padded batch gives each sequence its own result; a row without a kept step gives
    zeros. Keras has no such layer (its ``Attention`` takes a separate query sequence); it
    is what ``GlobalAveragePooling1D`` becomes when steps matter unequally.

    Args:
        units: Size of the hidden projection, or ``None`` for none.
        kernel_initializer: Initialiser of ``W`` and ``q`` (Keras-style names).
        bias_initializer: Initialiser of ``b``.
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> layer = sk.AttentionPooling1D(units=8)
        >>> x = torch.randn(2, 5, 4)
        >>> out = layer(x, lengths=torch.tensor([5, 2]))
        >>> tuple(out.values.shape), out.lengths is None
        ((2, 4), True)
        >>> alone = layer(x[1:, :2]).values
        >>> torch.allclose(out.values[1], alone[0], atol=1e-6)
        True
    """

    input_ranks = (3,)
    rank_fix = "pooling runs over a time axis: give (batch, time, features)"

    def __init__(self, units: int | None = None, *,
                 kernel_initializer: Initializer = "glorot_uniform",
                 bias_initializer: Initializer = "zeros", name: str | None = None) -> None:
        super().__init__(name=name)
        kind = "AttentionPooling1D"
        self.units = None if units is None else positive_int(units, "units", kind)
        if self.units is not None:
            check_parameter_count(kind, self.units, f"units={units} (one input feature)")
        self.kernel_initializer = check_initializer(kernel_initializer, "kernel_initializer",
                                                    kind)
        self.bias_initializer = check_initializer(bias_initializer, "bias_initializer", kind,
                                                  matrix=False)
        self.projection: nn.Linear | None = None
        self.query: nn.Parameter | None = None

    def get_config(self) -> dict[str, Any]:
        return {"units": self.units, "kernel_initializer": self.kernel_initializer,
                "bias_initializer": self.bias_initializer, "name": self.name}

    def _build(self, input_shape: Shape) -> None:
        features = int(input_shape[-1])  # type: ignore[arg-type]
        width = features if self.units is None else self.units
        check_parameter_count(self.label, width * (features + 2),
                              f"units={self.units} on {features} features")
        if self.units is not None:
            self.projection = nn.Linear(features, self.units)
            initialize(self.kernel_initializer, self.projection.weight, (features, self.units))
            initialize(self.bias_initializer, self.projection.bias, (self.units,))
        self.query = nn.Parameter(torch.empty(width, 1))
        initialize(self.kernel_initializer, self.query, (width, 1))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], input_shape[-1])

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        assert self.query is not None
        if lengths is not None:
            kept = step_mask(lengths.to(values.device), values.shape[1])
            values = values.masked_fill(~kept[..., None], 0.0)  # padding may hold inf/nan
        hidden = values if self.projection is None else torch.tanh(self.projection(values))
        scores = (hidden @ self.query)[..., 0]
        if self.projection is None:
            scores = scores / math.sqrt(values.shape[-1])
        if lengths is None:
            return LayerOutput((scores.softmax(dim=1)[..., None] * values).sum(dim=1), None,
                               state)
        weights = scores.masked_fill(~kept, float("-inf")).softmax(dim=1)
        weights = weights.masked_fill(~kept, 0.0)  # a row without kept steps: NaN -> 0
        return LayerOutput((weights[..., None] * values).sum(dim=1), None, state)
