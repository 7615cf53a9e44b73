"""Losses by name, all computed per element so weights and padding masks can apply.

The cross-entropy losses follow the model's output: on a model whose last layer ends in a
``sigmoid`` or ``softmax`` activation they read probabilities, exactly as Keras's
``from_logits=False`` default does (probabilities clipped to ``[1e-7, 1 - 1e-7]``); on any
other model they read logits (numerically stable, seqkit's default semantics).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from seqkit.errors import ConfigError, InputTypeError, explain, unknown_name

__all__ = ["EPSILON", "LOSSES", "LossSpec", "get_loss", "outputs_probabilities", "reduce_loss"]

Task = Literal["regression", "binary", "multiclass"]

EPSILON = 1e-7
"""Keras's ``backend.epsilon()``: probabilities are clipped to ``[EPSILON, 1 - EPSILON]``."""

_PROBABILITY_ACTIVATIONS = ("sigmoid", "softmax")


@dataclass(frozen=True)
class LossSpec:
    """A loss ready for training.

    Attributes:
        name: Its name (``"custom"`` for a callable).
        function: ``(y_pred, y_true) -> per-element loss`` (or a scalar for callables that
            reduce themselves; those ignore sample weights and padding masks).
        task: What the loss implies for metrics and target dtypes.
        one_hot: Targets are one-hot (or probability) vectors of the output's shape, not
            integer class ids (``categorical_crossentropy``).
        probabilities: The model outputs probabilities (its last layer ends in a sigmoid or
            softmax), not logits: metrics threshold at 0.5 and take the outputs as they are.
    """

    name: str
    function: Callable[[Tensor, Tensor], Tensor]
    task: Task
    one_hot: bool = False
    probabilities: bool = False


def _full_precision(y_pred: Tensor) -> Tensor:
    # 1 - 1e-7 is 1.0 in half precision: clip and log in float32.
    return y_pred.float() if y_pred.dtype in (torch.float16, torch.bfloat16) else y_pred


def _log_probabilities(y_pred: Tensor) -> Tensor:
    """Keras's ``from_logits=False`` route: normalise over the classes, clip, log."""
    y_pred = _full_precision(y_pred)
    y_pred = y_pred / y_pred.sum(dim=-1, keepdim=True)
    return torch.log(y_pred.clamp(EPSILON, 1.0 - EPSILON))


def _cross_entropy(y_pred: Tensor, y_true: Tensor) -> Tensor:
    # Class scores on the last axis; works per sample (B, C) and per step (B, T, C).
    classes = y_pred.shape[-1]
    loss = F.cross_entropy(y_pred.reshape(-1, classes), y_true.reshape(-1), reduction="none")
    return loss.view(y_true.shape)


def _cross_entropy_probabilities(y_pred: Tensor, y_true: Tensor) -> Tensor:
    classes = y_pred.shape[-1]
    log_p = _log_probabilities(y_pred).reshape(-1, classes)
    return F.nll_loss(log_p, y_true.reshape(-1), reduction="none").view(y_true.shape)


def _categorical(y_pred: Tensor, y_true: Tensor) -> Tensor:
    # One-hot (or soft) targets of the output's shape: one loss per sample or step.
    return -(y_true * F.log_softmax(y_pred, dim=-1)).sum(dim=-1)


def _categorical_probabilities(y_pred: Tensor, y_true: Tensor) -> Tensor:
    return -(y_true * _log_probabilities(y_pred)).sum(dim=-1)


def _binary_probabilities(y_pred: Tensor, y_true: Tensor) -> Tensor:
    # Written out rather than F.binary_cross_entropy, which refuses to run under autocast.
    p = _full_precision(y_pred).clamp(EPSILON, 1.0 - EPSILON)
    y_true = y_true.to(p.dtype)
    return -(y_true * torch.log(p) + (1.0 - y_true) * torch.log1p(-p))


# Partials of torch's functions, not lambdas, so that a compiled model pickles.
# name: (function on logits, function on probabilities or None, task, one-hot targets)
_NAMED: dict[str, tuple[Callable[[Tensor, Tensor], Tensor],
                        Callable[[Tensor, Tensor], Tensor] | None, Task, bool]] = {
    "mse": (functools.partial(F.mse_loss, reduction="none"), None, "regression", False),
    "mae": (functools.partial(F.l1_loss, reduction="none"), None, "regression", False),
    "huber": (functools.partial(F.huber_loss, reduction="none"), None, "regression", False),
    "cross_entropy": (_cross_entropy, _cross_entropy_probabilities, "multiclass", False),
    "categorical_crossentropy": (_categorical, _categorical_probabilities, "multiclass", True),
    "binary_cross_entropy": (
        functools.partial(F.binary_cross_entropy_with_logits, reduction="none"),
        _binary_probabilities, "binary", False),
}
_ALIASES = {
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "l1": "mae",
    "sparse_categorical_crossentropy": "cross_entropy",
    "categorical_cross_entropy": "cross_entropy",  # seqkit's older name: integer labels
    "bce": "binary_cross_entropy",
    "binary_crossentropy": "binary_cross_entropy",
}
LOSSES: tuple[str, ...] = tuple(sorted([*_NAMED, *_ALIASES]))
"""Every loss name ``compile`` accepts."""


def outputs_probabilities(layer: Any) -> bool:
    """Whether a model whose last layer is ``layer`` outputs probabilities.

    True when the layer ends in a ``sigmoid`` or ``softmax`` activation (``Dense(1,
    activation="sigmoid")``, ``Activation("softmax")``), or is an ``Ensemble`` averaging
    (``combine="mean"``) members that do. Only the last layer counts.

    Examples:
        >>> import seqkit as sk
        >>> outputs_probabilities(sk.Dense(1, activation="sigmoid")), outputs_probabilities(
        ...     sk.Dense(3))
        (True, False)
    """
    activation = getattr(layer, "activation", None)
    if isinstance(activation, str):
        return activation in _PROBABILITY_ACTIVATIONS
    members = getattr(layer, "members", None)
    if getattr(layer, "combine", None) == "mean" and members:
        return outputs_probabilities(members[0][-1])
    return False


_KERAS_CLASSES = {"BinaryCrossentropy": "binary_crossentropy",
                  "CategoricalCrossentropy": "categorical_crossentropy",
                  "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
                  "MeanSquaredError": "mse", "MeanAbsoluteError": "mae", "Huber": "huber"}
_KERAS_FUNCTIONS = {"binary_crossentropy", "categorical_crossentropy",
                    "sparse_categorical_crossentropy", "mean_squared_error",
                    "mean_absolute_error", "huber"}
# Keras arguments seqkit computes as Keras does only at these values.
_KERAS_DEFAULTS = {"reduction": "sum_over_batch_size", "label_smoothing": 0.0, "axis": -1,
                   "ignore_class": None, "delta": 1.0}


def _from_keras(loss: Any) -> tuple[str, bool | None] | None:
    """``(seqkit name, from_logits)`` of a Keras loss object or function, ``None`` for
    anything else. Keras losses are called ``(y_true, y_pred)``, seqkit's callables
    ``(y_pred, y_true)``: they must never pass as custom callables."""
    module = getattr(type(loss), "__module__", "") or ""
    if isinstance(loss, type) or not module.startswith("keras"):
        function_module = getattr(loss, "__module__", "") or ""
        name = getattr(loss, "__name__", None)
        if function_module.startswith("keras") and name in _KERAS_FUNCTIONS:
            return name, False if "crossentropy" in name else None
        return None
    kind = type(loss).__name__
    if kind not in _KERAS_CLASSES:
        raise ConfigError(explain(
            "loss", expected=f"a Keras loss seqkit computes ({', '.join(_KERAS_CLASSES)}) "
            "or a seqkit loss name", received=f"keras {kind}",
            fix=f"pass one of {', '.join(LOSSES)}, or a callable (y_pred, y_true)"))
    config = {**loss.get_config(), **getattr(loss, "_fn_kwargs", {})}
    for key, default in _KERAS_DEFAULTS.items():
        if key in config and config[key] != default:
            raise ConfigError(explain(
                f"keras {kind}", expected=f"{key}={default!r} (what seqkit computes)",
                received=f"{key}={config[key]!r}",
                fix="leave the argument at its default, or pass a callable (y_pred, y_true)"))
    return _KERAS_CLASSES[kind], config.get("from_logits")


def get_loss(loss: str | Callable[[Tensor, Tensor], Tensor] | nn.Module,
             probabilities: bool = False) -> LossSpec:
    """Resolves a loss name, a ``torch.nn`` loss module or a callable.

    ``cross_entropy`` (``sparse_categorical_crossentropy``) takes integer class labels,
    ``categorical_crossentropy`` one-hot targets of the output's shape and
    ``binary_cross_entropy`` (``binary_crossentropy``) 0/1 targets. They read logits,
    unless ``probabilities`` is set (the model ends in a sigmoid or softmax, see
    [`outputs_probabilities`][seqkit.training.losses.outputs_probabilities]): then they
    compute Keras's ``from_logits=False`` loss, on probabilities clipped to ``[1e-7,
    1 - 1e-7]``. A ``torch.nn`` loss module is copied with ``reduction="none"``. A Keras
    loss object or function (``keras.losses.BinaryCrossentropy(from_logits=True)``) maps
    to its seqkit name, its ``from_logits`` overriding what the model's last layer says.

    Examples:
        >>> import torch
        >>> spec = get_loss("mse")
        >>> spec.function(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0]))
        tensor([1., 4.])
        >>> bce = get_loss("binary_crossentropy", probabilities=True)
        >>> bce.function(torch.tensor([0.9, 0.2]), torch.tensor([1.0, 0.0]))
        tensor([0.1054, 0.2231])
    """
    keras_loss = _from_keras(loss)
    if keras_loss is not None:
        loss, from_logits = keras_loss
        if from_logits is not None:
            probabilities = not from_logits
    if isinstance(loss, str):
        name = _ALIASES.get(loss, loss)
        if name not in _NAMED:
            raise unknown_name("loss", loss, LOSSES)
        on_logits, on_probabilities, task, one_hot = _NAMED[name]
        function = on_probabilities if probabilities and on_probabilities else on_logits
        return LossSpec(name, function, task, one_hot, probabilities and task != "regression")
    if isinstance(loss, nn.Module) and hasattr(loss, "reduction"):
        module = copy.copy(loss)
        module.reduction = "none"
        task: Task = "regression"
        if isinstance(loss, nn.CrossEntropyLoss | nn.NLLLoss):
            task = "multiclass"
        elif isinstance(loss, nn.BCEWithLogitsLoss | nn.BCELoss):
            task = "binary"
        return LossSpec(type(loss).__name__, module, task,
                        probabilities=(probabilities or isinstance(loss, nn.BCELoss))
                        and task != "regression")
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
