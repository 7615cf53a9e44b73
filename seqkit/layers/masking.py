"""``Masking``: Keras's mask for numeric sequences (a step whose features all equal a
value is skipped)."""

from __future__ import annotations

from typing import Any

from torch import Tensor

from seqkit._checks import as_real
from seqkit.errors import ConfigError, explain
from seqkit.layers.base import Layer, LayerOutput, register
from seqkit.layers.masks import reduce_mask, step_mask
from seqkit.layers.state import RecurrentState

__all__ = ["Masking"]


@register
class Masking(Layer):
    """Masks every step whose features all equal ``mask_value``, as Keras's ``Masking``.

    Masked steps are set to zero and skipped downstream: recurrent layers carry their state
    over them, pooling, per-step losses and metrics leave them out (see
    [`seqkit.layers.masks`][]). Steps already masked (padding) stay masked.

    Args:
        mask_value: The value that marks a step as masked (on every feature).
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> x = torch.tensor([[[0.0, 0.0], [1.0, 0.0], [0.0, 0.0], [2.0, 3.0]]])
        >>> sk.Masking()(x).lengths.tolist()
        [[False, True, False, True]]
        >>> sk.Masking()(x[:, 1:2]).lengths.tolist()  # right padding: per-row lengths
        [1]
    """

    input_ranks = (3,)
    checks_features = False
    rank_fix = "for one value per time step add a feature axis: x[..., None]"

    def __init__(self, mask_value: float = 0.0, *, name: str | None = None) -> None:
        super().__init__(name=name)
        if as_real(mask_value) is None:
            raise ConfigError(explain("Masking mask_value", expected="a number",
                                      received=f"mask_value={mask_value!r}"))
        self.mask_value = float(mask_value)

    def get_config(self) -> dict[str, Any]:
        return {"mask_value": self.mask_value, "name": self.name}

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        mask = (values != self.mask_value).any(dim=-1)
        if lengths is not None:
            mask &= step_mask(lengths.to(values.device), values.shape[1])
        values = values.masked_fill(~mask[..., None], 0.0)
        return LayerOutput(values, reduce_mask(mask), state)
