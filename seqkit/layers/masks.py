"""Masks between blocks: which steps of a sequence count, in the ``lengths`` slot.

What flows between blocks as ``lengths`` is one of:

* ``None``: every step counts;
* ``(batch,)`` int64 lengths: each row's first ``length`` steps count (right padding, the
  common case and the fast path);
* ``(batch, time)`` bool, a *step mask*: True where a step counts, anywhere (Keras's mask:
  left padding, masked steps inside a sequence), from
  [`Embedding(mask_zero=True)`][seqkit.layers.Embedding] or
  [`Masking`][seqkit.layers.Masking].

A recurrent layer skips masked steps, as Keras does (the state carries over them), on the
fused kernel: each row's kept steps move to the front in order (one gather), the exact
right-padded path runs with ``lengths`` = the number of kept steps, and the outputs move
back to their steps (another gather); masked steps get zeros. No loop over time.
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["MASK_HOST_CHECK", "compaction", "gather_steps", "is_step_mask", "kept_lengths",
           "reduce_mask", "reverse_time", "right_padded", "step_mask"]


def is_step_mask(lengths: Tensor | None) -> bool:
    """Whether ``lengths`` is a ``(batch, time)`` step mask (not per-row lengths).

    Examples:
        >>> import torch
        >>> is_step_mask(torch.tensor([2, 3])), is_step_mask(torch.tensor([[True, False]]))
        (False, True)
    """
    return lengths is not None and lengths.dim() == 2


def step_mask(lengths: Tensor, total_length: int) -> Tensor:
    """``(batch, time)`` bool, True on the steps that count.

    Per-row lengths become a right-padding mask; a step mask is returned as it is.

    Examples:
        >>> import torch
        >>> step_mask(torch.tensor([1, 3]), 3).tolist()
        [[True, False, False], [True, True, True]]
    """
    if is_step_mask(lengths):
        return lengths.bool()
    steps = torch.arange(total_length, device=lengths.device)
    return steps[None, :] < lengths[:, None]


def kept_lengths(lengths: Tensor) -> Tensor:
    """Steps that count in each row: ``(batch,)`` int64 (per-row lengths pass through).

    Examples:
        >>> import torch
        >>> kept_lengths(torch.tensor([[False, True, True], [True, False, True]])).tolist()
        [2, 2]
    """
    return lengths.sum(dim=1) if is_step_mask(lengths) else lengths


def right_padded(mask: Tensor) -> Tensor:
    """0-d bool tensor: every row's kept steps come first (no step counts after one that
    does not). Stays on the mask's device.

    Examples:
        >>> import torch
        >>> bool(right_padded(torch.tensor([[True, True, False], [True, False, False]])))
        True
        >>> bool(right_padded(torch.tensor([[False, True, True]])))
        False
    """
    return (mask[:, 1:] <= mask[:, :-1]).all()


MASK_HOST_CHECK: dict[str, bool] = {"cpu": True}
"""Whether a step mask that is right padding travels as per-row lengths, by device type.
Knowing it takes a read on the host: free on the CPU. Elsewhere the mask travels as it is
and each recurrent layer compacts it (a cumulative sum and two gathers on the device, no
host read), unless the layer packs, which reads the lengths on the host anyway."""


def reduce_mask(mask: Tensor) -> Tensor:
    """Per-row lengths when ``mask`` is right padding and checking is free
    (``MASK_HOST_CHECK``), otherwise the mask.

    Examples:
        >>> import torch
        >>> reduce_mask(torch.tensor([[True, True, False], [True, False, False]])).tolist()
        [2, 1]
        >>> reduce_mask(torch.tensor([[False, True]])).tolist()
        [[False, True]]
    """
    if MASK_HOST_CHECK.get(mask.device.type, False) and bool(right_padded(mask)):
        return mask.sum(dim=1)
    return mask


def compaction(mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """How to move each row's kept steps to the front, in order, and back.

    Returns:
        ``(source, target, lengths)``, all ``(batch, time)`` but ``lengths``: step ``j`` of
        the compacted row ``b`` is step ``source[b, j]`` of the original; original step
        ``t`` lands at ``target[b, t]`` (the inverse); ``lengths`` counts the kept steps.
        Masked steps land after them, so a compacted row is right padded.

    Examples:
        >>> import torch
        >>> source, target, lengths = compaction(torch.tensor([[False, True, False, True]]))
        >>> source.tolist(), target.tolist(), lengths.tolist()
        ([[1, 3, 0, 2]], [[2, 0, 3, 1]], [2])
    """
    kept = mask.long()
    lengths = kept.sum(dim=1)
    target = torch.where(mask, kept.cumsum(dim=1) - 1,
                         lengths[:, None] + (1 - kept).cumsum(dim=1) - 1)
    steps = torch.arange(mask.shape[1], device=mask.device).expand_as(target)
    source = torch.empty_like(target).scatter_(1, target, steps)
    return source, target, lengths


def gather_steps(values: Tensor, index: Tensor) -> Tensor:
    """``values[b, index[b, t]]`` for every ``b, t`` (any trailing axes)."""
    shape = (*index.shape, *values.shape[2:])
    expanded = index.reshape(*index.shape, *([1] * (values.dim() - 2))).expand(shape)
    return values.gather(1, expanded)


def reverse_time(values: Tensor, lengths: Tensor | None) -> tuple[Tensor, Tensor | None]:
    """The batch with its time axis reversed, and its mask reversed to match (Keras's
    ``go_backwards``: right padding becomes left padding).

    Examples:
        >>> import torch
        >>> values, mask = reverse_time(torch.tensor([[[1.0], [2.0], [0.0]]]), torch.tensor([2]))
        >>> values[..., 0].tolist(), mask.tolist()
        ([[0.0, 2.0, 1.0]], [[False, True, True]])
    """
    flipped = values.flip(1)
    return flipped, None if lengths is None else step_mask(lengths, values.shape[1]).flip(1)
