"""torchmetrics metrics by Keras-style name, configured for the model's task and outputs.

What a metric sees is decided once, from the loss and the model's last layer, never from a
batch's values: torchmetrics applies a sigmoid or softmax only to batches that hold values
outside ``[0, 1]``, so seqkit hands it probabilities (``sigmoid``/``softmax`` of logits) or
0/1 decisions (logit > 0, or probability > 0.5) and never lets it guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
import torchmetrics
from torch import Tensor
from torchmetrics.classification import BinaryStatScores, MulticlassStatScores

from seqkit.errors import ConfigError, explain, unknown_name
from seqkit.training.losses import EPSILON, LossSpec, Task

__all__ = ["HIGHER_IS_BETTER", "METRICS", "PercentMAPE", "make_metric", "metric_inputs",
           "predicted_classes", "update_metrics"]


class PercentMAPE(torchmetrics.Metric):
    """Keras's mean absolute percentage error, in percent:
    ``100 * mean(|y - p| / max(|y|, 1e-7))``.

    A zero target counts with the denominator ``1e-7``, as in Keras (torchmetrics' own MAPE
    is a fraction with ``1.17e-6``; [`seqkit.evaluation.mape`][] leaves zero targets out).

    Examples:
        >>> import torch
        >>> metric = PercentMAPE()
        >>> metric.update(torch.tensor([110.0, 45.0]), torch.tensor([100.0, 50.0]))
        >>> round(float(metric.compute()), 2)
        10.0
    """

    is_differentiable = True
    higher_is_better = False
    full_state_update = False
    total: Tensor
    count: Tensor

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_state("total", default=torch.tensor(0.0), dist_reduce_fx="sum")
        self.add_state("count", default=torch.tensor(0), dist_reduce_fx="sum")

    def update(self, preds: Tensor, target: Tensor) -> None:
        """Adds a batch's percentage errors."""
        errors = (target - preds).abs() / target.abs().clamp_min(EPSILON)
        self.total += errors.sum()
        self.count += errors.numel()

    def compute(self) -> Tensor:
        """The mean percentage error so far."""
        return 100.0 * self.total / self.count


_REGRESSION = {
    "mae": lambda: torchmetrics.MeanAbsoluteError(),
    "mse": lambda: torchmetrics.MeanSquaredError(),
    "rmse": lambda: torchmetrics.MeanSquaredError(squared=False),
    "mape": lambda: PercentMAPE(),
    "r2": lambda: torchmetrics.R2Score(),  # several outputs: their mean R2, as Keras
}
_CLASSIFICATION = {
    "accuracy": torchmetrics.Accuracy,
    "top_k_accuracy": torchmetrics.Accuracy,
    "precision": torchmetrics.Precision,
    "recall": torchmetrics.Recall,
    "f1": torchmetrics.F1Score,
    "auroc": torchmetrics.AUROC,
}
_ALIASES = {"acc": "accuracy", "binary_accuracy": "accuracy",
            "categorical_accuracy": "accuracy", "sparse_categorical_accuracy": "accuracy",
            "top_k_categorical_accuracy": "top_k_accuracy",
            "sparse_top_k_categorical_accuracy": "top_k_accuracy",
            "f1_score": "f1", "auc": "auroc", "r2_score": "r2",
            "mean_absolute_error": "mae", "mean_squared_error": "mse",
            "root_mean_squared_error": "rmse", "mean_absolute_percentage_error": "mape"}
_NEEDS_TASK = {"binary_accuracy": "binary", "categorical_accuracy": "multiclass",
               "sparse_categorical_accuracy": "multiclass",
               "top_k_categorical_accuracy": "multiclass",
               "sparse_top_k_categorical_accuracy": "multiclass",
               "top_k_accuracy": "multiclass"}
_TOP_K = 5  # Keras's default k
METRICS: tuple[str, ...] = tuple(sorted([*_REGRESSION, *_CLASSIFICATION, *_ALIASES]))
"""Every metric name ``compile`` accepts."""

HIGHER_IS_BETTER: tuple[str, ...] = tuple(sorted(
    [*_CLASSIFICATION, "r2", *(a for a, k in _ALIASES.items() if k in (*_CLASSIFICATION, "r2"))]))
"""Metric names (as logged) that improve upwards; every other name improves downwards."""


def make_metric(name: str | torchmetrics.Metric, task: Task, num_classes: int
                ) -> tuple[str, torchmetrics.Metric]:
    """Returns ``(log_name, metric)`` for a name or a ready ``torchmetrics.Metric``.

    A name is logged as given (``metrics=["acc"]`` logs ``acc`` and ``val_acc``, as Keras
    does). Classification metrics are binary for ``binary_cross_entropy`` and multiclass
    (precision, recall, F1 and AUROC macro-averaged, ``num_classes`` from the output size)
    for ``cross_entropy`` and ``categorical_crossentropy``; accuracy is the fraction of
    correct predictions in both. ``top_k_categorical_accuracy`` counts a sample as correct
    when its class is among the 5 highest scores (all of them with fewer classes).

    Examples:
        >>> name, metric = make_metric("acc", "multiclass", num_classes=3)
        >>> name, type(metric).__name__
        ('acc', 'MulticlassAccuracy')
    """
    if isinstance(name, torchmetrics.Metric):
        return _snake(type(name).__name__), name
    if not isinstance(name, str):
        raise ConfigError(explain("metric", expected="a name or a torchmetrics.Metric",
                                  received=f"{name!r}"))
    lowered = name.lower()
    key = _ALIASES.get(lowered, lowered)
    if key in _REGRESSION:
        return name, _REGRESSION[key]()
    if key not in _CLASSIFICATION:
        raise unknown_name("metric", name, METRICS)
    if task == "regression":
        raise ConfigError(
            explain(f"metric {name!r}", expected="a classification loss "
                    "('cross_entropy' or 'binary_cross_entropy')",
                    received="a regression loss",
                    fix="compile with loss='cross_entropy' (integer labels) or "
                    "'binary_cross_entropy' (0/1 labels)")
        )
    needed = _NEEDS_TASK.get(lowered)
    if needed is not None and needed != task:
        loss = "'binary_crossentropy'" if needed == "binary" else \
            "'sparse_categorical_crossentropy' or 'categorical_crossentropy'"
        raise ConfigError(
            explain(f"metric {name!r}", expected=f"a {needed} classification loss ({loss})",
                    received=f"a {task} loss", fix="use metrics=['accuracy'], which follows "
                    "the loss")
        )
    kwargs: dict[str, Any] = {"task": task}
    if task == "multiclass":
        kwargs.update(num_classes=num_classes)
        if key == "top_k_accuracy":
            kwargs["top_k"] = min(_TOP_K, num_classes)
        elif key != "accuracy":
            kwargs["average"] = "macro"
    return name, _CLASSIFICATION[key](**kwargs)


def predicted_classes(scores: Tensor, probabilities: bool) -> Tensor:
    """The class of each output: ``(..., 1)`` scores are binary (class 1 where the logit is
    above 0, or the probability above 0.5), wider ones multiclass (the highest score).

    Args:
        scores: Model outputs, classes on the last axis.
        probabilities: The outputs are probabilities (the model ends in a sigmoid or
            softmax), not logits.

    Returns:
        Integer class ids, of the scores' shape without the last axis.

    Examples:
        >>> import torch
        >>> predicted_classes(torch.tensor([[0.3], [-0.1]]), probabilities=False)
        tensor([1, 0])
        >>> predicted_classes(torch.tensor([[0.3], [0.6]]), probabilities=True)
        tensor([0, 1])
    """
    if scores.shape[-1] == 1:
        return (scores[..., 0] > (0.5 if probabilities else 0.0)).long()
    return scores.argmax(dim=-1)


def metric_inputs(y_pred: Tensor, y_true: Tensor, spec: LossSpec) -> tuple[Tensor, Tensor]:
    """Flattens predictions and targets to what torchmetrics expects for the loss's task.

    ``y_pred`` and ``y_true`` hold only valid (unpadded) samples or steps. Classification
    predictions come back as probabilities (a sigmoid or softmax of logits), so that
    torchmetrics never decides per batch whether to apply one; targets as class ids
    (one-hot targets by their highest entry).

    Examples:
        >>> import torch
        >>> from seqkit.training.losses import get_loss
        >>> preds, target = metric_inputs(torch.tensor([[0.0], [2.0]]), torch.tensor([1, 1]),
        ...                               get_loss("binary_cross_entropy"))
        >>> preds
        tensor([0.5000, 0.8808])
    """
    if spec.task == "multiclass":
        classes = y_pred.shape[-1]
        preds = y_pred.reshape(-1, classes)
        if not spec.probabilities:
            preds = torch.softmax(preds.float(), dim=-1)
        target = y_true.argmax(dim=-1) if spec.one_hot else y_true
        return preds, target.reshape(-1).long()
    if spec.task == "binary":
        preds = y_pred.reshape(-1)
        if not spec.probabilities:
            preds = torch.sigmoid(preds.float())
        return preds, y_true.reshape(-1).long()
    outputs = y_pred.shape[-1] if y_pred.dim() > 1 else 1
    if outputs > 1:  # one column per output: R2 is the mean over outputs, as in Keras
        return y_pred.reshape(-1, outputs), y_true.reshape(-1, outputs)
    return y_pred.reshape(-1), y_true.reshape(-1)


def update_metrics(metrics: Iterable[torchmetrics.Metric], y_pred: Tensor, y_true: Tensor,
                   spec: LossSpec) -> None:
    """Updates every metric with a batch's valid predictions and targets.

    Binary thresholded metrics at the default threshold get the 0/1 decisions of
    [`predicted_classes`][seqkit.training.metrics.predicted_classes] (the same as
    ``predict_classes``); multiclass ones the raw scores (their argmax); every other metric
    the probabilities of [`metric_inputs`][seqkit.training.metrics.metric_inputs].

    Examples:
        >>> import torch
        >>> from seqkit.training.losses import get_loss
        >>> _, accuracy = make_metric("accuracy", "binary", num_classes=1)
        >>> spec = get_loss("binary_cross_entropy")
        >>> for rows in ([0, 1], [2, 3]):  # any batching gives the same value
        ...     logits = torch.tensor([[0.3], [0.3], [0.3], [2.0]])[rows]
        ...     update_metrics([accuracy], logits, torch.ones(2, 1), spec)
        >>> float(accuracy.compute())
        1.0
    """
    inputs: tuple[Tensor, Tensor] | None = None  # made once, when a metric needs them
    decisions: Tensor | None = None
    for metric in metrics:
        if spec.task == "binary" and isinstance(metric, BinaryStatScores) \
                and metric.threshold == 0.5:
            if decisions is None:
                decisions = predicted_classes(y_pred.reshape(-1, 1), spec.probabilities)
            metric.update(decisions, y_true.reshape(-1).long())
            continue
        if inputs is None:
            inputs = metric_inputs(y_pred, y_true, spec)
        if spec.task == "multiclass" and isinstance(metric, MulticlassStatScores):
            metric.update(y_pred.reshape(-1, y_pred.shape[-1]), inputs[1])
        else:
            metric.update(*inputs)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
