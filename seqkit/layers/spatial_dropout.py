"""``SpatialDropout1D``: dropout of whole feature channels."""

from __future__ import annotations

from typing import Any

from torch import Tensor

from seqkit._checks import fraction
from seqkit.layers.base import Layer, LayerOutput, register
from seqkit.layers.state import RecurrentState

__all__ = ["SpatialDropout1D"]


@register
class SpatialDropout1D(Layer):
    """Drops whole feature channels during training: each sequence loses a fraction
    ``rate`` of its channels at every step (Keras's ``SpatialDropout1D``, noise shape
    ``(batch, 1, features)``); kept values are scaled by ``1 / (1 - rate)``. Neighbouring
    steps of a channel are strongly correlated after a ``Conv1D`` or an ``Embedding``,
    so dropping values one by one regularises little; dropping the channel does. Padding
    stays zero. At inference it is the identity.

    Args:
        rate: Fraction of channels to drop, in ``[0, 1)``.
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> _ = torch.manual_seed(0)
        >>> out = sk.SpatialDropout1D(0.5)(torch.ones(1, 4, 6)).values
        >>> [round(v) for v in out[0, 0].tolist()] == [round(v) for v in out[0, 3].tolist()]
        True
        >>> bool((sk.SpatialDropout1D(0.5).eval()(torch.ones(1, 4, 6)).values == 1).all())
        True
    """

    input_ranks = (3,)
    checks_features = False
    rank_fix = "for one value per time step add a feature axis: x[..., None]"

    def __init__(self, rate: float, *, name: str | None = None) -> None:
        super().__init__(name=name)
        self.rate = fraction(rate, "rate", "SpatialDropout1D")

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate, "name": self.name}

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        if not self.training or self.rate == 0:
            return LayerOutput(values, lengths, state)
        keep = values.new_empty((values.shape[0], 1, values.shape[2]))
        keep.bernoulli_(1 - self.rate).div_(1 - self.rate)
        return LayerOutput(values * keep, lengths, state)
