"""Losses by name, all computed per element so weights and padding masks can apply."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from torch import Tensor, nn
from torch.nn import functional as F

from seqkit.errors import InputTypeError, explain, unknown_name

__all__ = ["LOSSES", "LossSpec", "get_loss", "reduce_loss"]

Task = Literal["regression", "binary", "multiclass"]


@dataclass(frozen=True)
class LossSpec:
    """A loss ready for training.

    Attributes:
        name: Its name (``"custom"`` for a callable).
        function: ``(y_pred, y_true) -> per-element loss`` (or a scalar for callables that
            reduce themselves; those ignore sample weights and padding masks).
        task: What the loss implies for metrics and target dtypes.
    """

    name: str
    function: Callable[[Tensor, Tensor], Tensor]
    task: Task


def _cross_entropy(y_pred: Tensor, y_true: Tensor) -> Tensor:
    # Class scores on the last axis; works per sample (B, C) and per step (B, T, C).
    classes = y_pred.shape[-1]
    loss = F.cross_entropy(y_pred.reshape(-1, classes), y_true.reshape(-1), reduction="none")
    return loss.view(y_true.shape)


# Partials of torch's functions, not lambdas, so that a compiled model pickles.
_NAMED: dict[str, tuple[Callable[[Tensor, Tensor], Tensor], Task]] = {
    "mse": (functools.partial(F.mse_loss, reduction="none"), "regression"),
    "mae": (functools.partial(F.l1_loss, reduction="none"), "regression"),
    "huber": (functools.partial(F.huber_loss, reduction="none"), "regression"),
    "cross_entropy": (_cross_entropy, "multiclass"),
    "binary_cross_entropy": (
        functools.partial(F.binary_cross_entropy_with_logits, reduction="none"), "binary"),
}
_ALIASES = {
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "l1": "mae",
    "sparse_categorical_crossentropy": "cross_entropy",
    "categorical_cross_entropy": "cross_entropy",
    "bce": "binary_cross_entropy",
    "binary_crossentropy": "binary_cross_entropy",
}
LOSSES: tuple[str, ...] = tuple(sorted([*_NAMED, *_ALIASES]))
"""Every loss name ``compile`` accepts."""


def get_loss(loss: str | Callable[[Tensor, Tensor], Tensor] | nn.Module) -> LossSpec:
    """Resolves a loss name, a ``torch.nn`` loss module or a callable.

    ``cross_entropy`` takes integer class labels and raw scores (logits);
    ``binary_cross_entropy`` takes 0/1 targets and logits (no sigmoid in the model).
    A ``torch.nn`` loss module is copied with ``reduction="none"``.

    Examples:
        >>> import torch
        >>> spec = get_loss("mse")
        >>> spec.function(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]))
        tensor([1., 4.])
    """
    if isinstance(loss, str):
        name = _ALIASES.get(loss, loss)
        if name not in _NAMED:
            raise unknown_name("loss", loss, LOSSES)
        function, task = _NAMED[name]
        return LossSpec(name, function, task)
    if isinstance(loss, nn.Module) and hasattr(loss, "reduction"):
        module = copy.copy(loss)
        module.reduction = "none"
        task: Task = "multiclass" if isinstance(loss, nn.CrossEntropyLoss) else "regression"
        if isinstance(loss, nn.BCEWithLogitsLoss):
            task = "binary"
        return LossSpec(type(loss).__name__, module, task)
    if callable(loss):
        return LossSpec(getattr(loss, "__name__", "custom"), loss, "regression")
    raise InputTypeError(
        explain("loss", expected=f"a name ({', '.join(LOSSES)}) or a callable",
                received=f"loss={loss!r}")
    )


def reduce_loss(
    per_element: Tensor, weight: Tensor | None, mask: Tensor | None
) -> tuple[Tensor, Tensor]:
    """Weighted sum and element count of a per-element loss.

    ``weight`` is per sample ``(batch,)``; ``mask`` is per step ``(batch, time)``, True on
    valid steps. The mean is ``sum / count``: weights scale the loss (Keras's
    ``sum_over_batch_size``) and padding elements count for nothing.

    Returns:
        ``(weighted_sum, count)``, both 0-d tensors on the loss's device.

    Examples:
        >>> import torch
        >>> loss = torch.tensor([[1.0, 5.0], [3.0, 7.0]])
        >>> reduce_loss(loss, None, torch.tensor([[True, False], [True, True]]))
        (tensor(11.), tensor(3.))
    """
    if per_element.dim() == 0:  # a callable that reduced itself
        return per_element, per_element.new_ones(())
    count = per_element.new_tensor(float(per_element.numel()))
    if mask is not None:
        extra = (1,) * (per_element.dim() - mask.dim())
        factor = mask.to(per_element.dtype).reshape(*mask.shape, *extra)
        per_element = per_element * factor
        count = factor.expand_as(per_element).sum()
    if weight is not None:
        extra = (1,) * (per_element.dim() - 1)
        per_element = per_element * weight.to(per_element.dtype).reshape(-1, *extra)
    return per_element.sum(), count
