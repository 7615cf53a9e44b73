"""``MaxPooling1D`` and ``AveragePooling1D``: Keras's pooling over windows of time steps,
length-aware."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor
from torch.nn import functional

from seqkit.layers._windows import (
    check_padding,
    check_span_fits,
    output_length,
    row_lengths,
    window_input,
    window_int,
    window_lengths,
)
from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.masks import step_mask
from seqkit.layers.pooling import zero_padding
from seqkit.layers.state import RecurrentState

__all__ = ["AveragePooling1D", "MaxPooling1D"]


class _WindowPooling1D(Layer):
    """Pooling over windows of ``pool_size`` steps, ``strides`` apart."""

    input_ranks = (3,)
    checks_features = False
    rank_fix = "for one value per time step add a feature axis: x[..., None]"

    def __init__(self, pool_size: int | tuple[int] = 2,
                 strides: int | tuple[int] | None = None, padding: str = "valid", *,
                 name: str | None = None) -> None:
        super().__init__(name=name)
        kind = type(self).__name__
        self.pool_size = window_int(pool_size, "pool_size", kind)
        self.strides = (self.pool_size if strides is None
                        else window_int(strides, "strides", kind))
        self.padding = check_padding(padding, kind, causal=False)

    def get_config(self) -> dict[str, Any]:
        return {"pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "name": self.name}

    def check_input_shape(self, input_shape: Shape) -> None:
        super().check_input_shape(input_shape)
        if self.padding == "valid" and input_shape[1] is not None:
            check_span_fits(self.label, input_shape[1], None, self.pool_size,
                            f"pool_size={self.pool_size}")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        time = output_length(input_shape[1], span=self.pool_size, stride=self.strides,
                             padding=self.padding)
        return (input_shape[0], time, input_shape[-1])

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        rows = row_lengths(lengths, values.shape[1], self.strides, self.label)
        if self.padding == "valid":
            check_span_fits(self.label, values.shape[1], rows, self.pool_size,
                            f"pool_size={self.pool_size}")
        out = self._pool(values, rows)
        new_lengths = window_lengths(rows, span=self.pool_size, stride=self.strides,
                                     padding=self.padding)
        return LayerOutput(zero_padding(out, new_lengths), new_lengths, state)

    def _pool(self, values: Tensor, rows: Tensor | None) -> Tensor:
        raise NotImplementedError


@register
class MaxPooling1D(_WindowPooling1D):
    """Maximum over windows of ``pool_size`` steps: ``(batch, time, f) -> (batch, time', f)``.

    As Keras's (``strides`` default to ``pool_size``; ``"valid"``: ``floor((L - pool_size)
    / strides) + 1`` outputs, ``"same"``: ``ceil(L / strides)``), and length-aware: steps
    after a row's end (and masked steps) never enter a maximum, each row's windows fall as
    they would alone, the output lengths follow, and outputs after them are zeros.

    Args:
        pool_size: Window length.
        strides: Step between windows (``None``: ``pool_size``).
        padding: ``"valid"`` or ``"same"``.
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> x = torch.tensor([[[1.0], [5.0], [2.0], [9.0], [3.0]]])
        >>> out = sk.MaxPooling1D(2)(x, lengths=torch.tensor([3]))
        >>> out.values[..., 0].tolist(), out.lengths.tolist()
        ([[5.0, 0.0]], [1])
        >>> sk.MaxPooling1D(2, padding="same")(x, torch.tensor([3])).values[..., 0].tolist()
        [[5.0, 2.0, 0.0]]
    """

    def _pool(self, values: Tensor, rows: Tensor | None) -> Tensor:
        ready = window_input(values, rows, span=self.pool_size, stride=self.strides,
                             padding=self.padding, fill=float("-inf"))
        out = functional.max_pool1d(ready.transpose(1, 2), self.pool_size, self.strides)
        return out.transpose(1, 2)


@register
class AveragePooling1D(_WindowPooling1D):
    """Mean over windows of ``pool_size`` steps: ``(batch, time, f) -> (batch, time', f)``.

    As Keras's (``strides`` default to ``pool_size``), and length-aware like
    [`MaxPooling1D`][seqkit.layers.MaxPooling1D]: a mean counts only a row's own (kept)
    steps. With ``"same"``, padding never enters a mean (TensorFlow's Keras; Keras 3 on
    the torch backend repeats the edge step when the padding is uneven, e.g.
    ``pool_size=4, strides=1``).

    Args:
        pool_size: Window length.
        strides: Step between windows (``None``: ``pool_size``).
        padding: ``"valid"`` or ``"same"``.
        name: Layer name.

    Examples:
        >>> import torch, seqkit as sk
        >>> x = torch.tensor([[[1.0], [5.0], [2.0], [9.0], [3.0]]])
        >>> out = sk.AveragePooling1D(2, padding="same")(x, lengths=torch.tensor([3]))
        >>> out.values[..., 0].tolist(), out.lengths.tolist()
        ([[3.0, 2.0, 0.0]], [2])
    """

    def _pool(self, values: Tensor, rows: Tensor | None) -> Tensor:
        if rows is None and self.padding == "valid":
            return functional.avg_pool1d(values.transpose(1, 2), self.pool_size,
                                         self.strides).transpose(1, 2)
        if rows is None:
            kept = values.new_ones(values.shape[:2])
        else:
            kept = step_mask(rows, values.shape[1]).to(values.dtype)
        both = torch.cat([values, kept.unsqueeze(-1)], dim=-1)
        ready = window_input(both, rows, span=self.pool_size, stride=self.strides,
                             padding=self.padding, fill=0.0)
        pooled = functional.avg_pool1d(ready.transpose(1, 2), self.pool_size,
                                       self.strides).transpose(1, 2)
        count = pooled[..., -1:].clamp(min=0.5 / self.pool_size)  # 0 only after a row's end
        return pooled[..., :-1] / count
