"""``LayerNormalization`` over the last axis."""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from seqkit._checks import positive_real
from seqkit.layers._sizes import check_parameter_count
from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.state import RecurrentState

__all__ = ["LayerNormalization"]


@register
class LayerNormalization(Layer):
    """Normalizes each step's features to zero mean and unit variance, then scales/shifts.

    Args:
        epsilon: Added to the variance for numerical stability.
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> out = sk.LayerNormalization()(torch.tensor([[1.0, 3.0]])).values
        >>> [round(v, 3) for v in out[0].tolist()]
        [-1.0, 1.0]
    """

    def __init__(self, epsilon: float = 1e-3, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self.epsilon = positive_real(epsilon, "epsilon", "LayerNormalization")
        self.norm: nn.LayerNorm | None = None

    def get_config(self) -> dict[str, Any]:
        return {"epsilon": self.epsilon, "name": self.name}

    def _build(self, input_shape: Shape) -> None:
        check_parameter_count(self.label, 2 * input_shape[-1],
                              f"{input_shape[-1]} input features (a scale and a shift each)")
        self.norm = nn.LayerNorm(input_shape[-1], eps=self.epsilon)

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        assert self.norm is not None
        return LayerOutput(self.norm(values), lengths, state)
