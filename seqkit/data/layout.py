"""``batch_first=False`` at the boundary: time-major arrays in, batch-major inside.

Inside seqkit every tensor is batch-major. A time-major model's rectangular inputs (and
per-step targets) are turned into batch-major *views* when they enter; outputs with a time
axis go back to time-major as they leave. Lists of sequences (ragged or not) are lists of
samples in both layouts, and so are batch-major already; states, lengths and weights are
always batch-major.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor

__all__ = ["from_model_layout", "model_input_shape", "to_model_layout"]


def from_model_layout(values: Tensor, batch_first: bool) -> Tensor:
    """A batch-major view of a tensor in the model's layout (``values`` itself when
    ``batch_first`` or without a time axis).

    Examples:
        >>> import torch
        >>> from_model_layout(torch.zeros(20, 64, 3), batch_first=False).shape
        torch.Size([64, 20, 3])
    """
    return values if batch_first or values.dim() < 2 else values.transpose(0, 1)


def to_model_layout(values: Any, batch_first: bool, *, min_dim: int = 3) -> Any:
    """Batch-major outputs (tensor or numpy) in the model's layout: outputs with a time
    axis (``min_dim`` axes or more) become time-major views.

    Examples:
        >>> import numpy as np
        >>> to_model_layout(np.zeros((64, 20, 1)), batch_first=False).shape
        (20, 64, 1)
        >>> to_model_layout(np.zeros((64, 1)), batch_first=False).shape
        (64, 1)
    """
    if batch_first or values.ndim < min_dim:
        return values
    return values.swapaxes(0, 1) if hasattr(values, "swapaxes") else values.transpose(0, 1)


def model_input_shape(shape: tuple[Any, ...], batch_first: bool) -> tuple[Any, ...]:
    """A batch-major shape in the model's layout (``build`` takes that).

    Examples:
        >>> model_input_shape((None, 20, 3), batch_first=False)
        (20, None, 3)
    """
    if batch_first or len(shape) < 2:
        return shape
    return (shape[1], shape[0], *shape[2:])
