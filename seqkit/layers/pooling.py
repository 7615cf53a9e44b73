"""Mask-aware pooling over time: masked steps (padding) never enter an average or a
maximum."""

from __future__ import annotations

import torch
from torch import Tensor

from seqkit.layers.base import Layer, LayerOutput, Shape, register
from seqkit.layers.masks import is_step_mask, step_mask
from seqkit.layers.state import RecurrentState

__all__ = [
    "GlobalAveragePooling1D",
    "GlobalMaxPooling1D",
    "LastStep",
    "valid_mask",
    "zero_padding",
]


def valid_mask(lengths: Tensor, total_length: int) -> Tensor:
    """``(batch, time)`` bool mask, True on each sequence's valid steps.

    ``lengths`` are per-row lengths or already a step mask (returned as it is); see
    [`step_mask`][seqkit.layers.masks.step_mask].

    Examples:
        >>> import torch
        >>> valid_mask(torch.tensor([1, 3]), 3).tolist()
        [[True, False, False], [True, True, True]]
    """
    return step_mask(lengths, total_length)


def zero_padding(values: Tensor, lengths: Tensor | None) -> Tensor:
    """Sets masked steps (those after each sequence's end, or those a step mask masks) to
    zero (no-op without lengths).

    Examples:
        >>> import torch
        >>> zero_padding(torch.ones(2, 3, 1), torch.tensor([1, 3]))[..., 0].tolist()
        [[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]]
    """
    if lengths is None or values.dim() < 3:
        return values
    mask = valid_mask(lengths.to(values.device), values.shape[1])
    padding = ~mask.reshape(*mask.shape, *([1] * (values.dim() - 2)))
    return values.masked_fill(padding, 0.0)  # not a product: padding may hold inf/nan


class _Pooling1D(Layer):
    input_ranks = (3,)
    rank_fix = "for one value per time step add a feature axis: x[..., None]"

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], input_shape[-1])


@register
class GlobalAveragePooling1D(_Pooling1D):
    """Mean over each sequence's kept (unmasked) steps: ``(batch, time, f) -> (batch, f)``.

    As Keras's with a mask; a row whose every step is masked gives zeros (Keras: NaN).

    Examples:
        >>> import torch, seqkit as sk
        >>> x = torch.tensor([[[1.0], [3.0], [100.0]]])
        >>> sk.GlobalAveragePooling1D()(x, lengths=torch.tensor([2])).values
        tensor([[2.]])
    """

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        if lengths is None:
            return LayerOutput(values.mean(dim=1), None, state)
        mask = valid_mask(lengths.to(values.device), values.shape[1]).unsqueeze(-1)
        total = values.masked_fill(~mask, 0.0).sum(dim=1)  # padding may hold inf/nan
        count = mask.sum(dim=1).clamp(min=1).to(values.dtype)
        return LayerOutput(total / count, None, state)


@register
class GlobalMaxPooling1D(_Pooling1D):
    """Maximum over each sequence's kept (unmasked) steps: ``(batch, time, f) -> (batch, f)``.

    Keras's ``GlobalMaxPooling1D`` ignores the mask (masked steps enter its maximum); here
    they never do, and a row whose every step is masked gives zeros.

    Examples:
        >>> import torch, seqkit as sk
        >>> x = torch.tensor([[[1.0], [3.0], [100.0]]])
        >>> sk.GlobalMaxPooling1D()(x, lengths=torch.tensor([2])).values
        tensor([[3.]])
    """

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        if lengths is None:
            return LayerOutput(values.amax(dim=1), None, state)
        mask = valid_mask(lengths.to(values.device), values.shape[1]).unsqueeze(-1)
        masked = values.masked_fill(~mask, float("-inf")).amax(dim=1)
        # A sequence of length 0 has no maximum: report zeros rather than -inf (only there,
        # so inf and nan inside valid steps still come through).
        empty = ~mask.any(dim=1)
        return LayerOutput(masked.masked_fill(empty, 0.0), None, state)


@register
class LastStep(_Pooling1D):
    """Each sequence's last *kept* (unmasked) step: ``(batch, time, f) -> (batch, f)``.

    The safe replacement for ``output[:, -1]``, which on a right-padded batch picks
    padding. (A recurrent layer with ``return_sequences=False`` already returns its last
    valid step; use this after per-step layers.)

    Examples:
        >>> import torch, seqkit as sk
        >>> x = torch.tensor([[[1.0], [3.0], [0.0]]])
        >>> sk.LastStep()(x, lengths=torch.tensor([2])).values
        tensor([[3.]])
    """

    def call(
        self, values: Tensor, lengths: Tensor | None, state: RecurrentState | None
    ) -> LayerOutput:
        if lengths is None:
            return LayerOutput(values[:, -1], None, state)
        lengths = lengths.to(values.device)
        if is_step_mask(lengths):  # the position after the last kept step
            steps = torch.arange(1, values.shape[1] + 1, device=values.device)
            lengths = (lengths * steps).amax(dim=1)
        last = (lengths - 1).clamp(min=0)
        picked = values[torch.arange(values.shape[0], device=values.device), last]
        # A sequence of length 0 has no last step: report zeros.
        empty = (lengths == 0)[:, None]
        return LayerOutput(picked.masked_fill(empty, 0.0), None, state)
