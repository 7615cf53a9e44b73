"""torchmetrics metrics by Keras-style name, configured for the model's task."""

from __future__ import annotations

from typing import Any

import torchmetrics
from torch import Tensor

from seqkit.errors import ConfigError, explain, unknown_name
from seqkit.training.losses import Task

__all__ = ["METRICS", "PercentMAPE", "make_metric", "metric_inputs"]


class PercentMAPE(torchmetrics.MeanAbsolutePercentageError):
    """torchmetrics' MAPE in percent, as Keras reports it (and as
    [`seqkit.evaluation.mape`][] does); torchmetrics' own is a fraction.

    Examples:
        >>> import torch
        >>> metric = PercentMAPE()
        >>> metric.update(torch.tensor([110.0, 45.0]), torch.tensor([100.0, 50.0]))
        >>> round(float(metric.compute()), 2)
        10.0
    """

    def compute(self) -> Tensor:
        return super().compute() * 100.0


_REGRESSION = {
    "mae": lambda: torchmetrics.MeanAbsoluteError(),
    "mse": lambda: torchmetrics.MeanSquaredError(),
    "rmse": lambda: torchmetrics.MeanSquaredError(squared=False),
    "mape": lambda: PercentMAPE(),
    "r2": lambda: torchmetrics.R2Score(),
}
_CLASSIFICATION = {
    "accuracy": torchmetrics.Accuracy,
    "precision": torchmetrics.Precision,
    "recall": torchmetrics.Recall,
    "f1": torchmetrics.F1Score,
    "auroc": torchmetrics.AUROC,
}
_ALIASES = {"acc": "accuracy", "f1_score": "f1", "auc": "auroc",
            "mean_absolute_error": "mae", "mean_squared_error": "mse"}
METRICS: tuple[str, ...] = tuple(sorted([*_REGRESSION, *_CLASSIFICATION, *_ALIASES]))
"""Every metric name ``compile`` accepts."""


def make_metric(name: str | torchmetrics.Metric, task: Task, num_classes: int
                ) -> tuple[str, torchmetrics.Metric]:
    """Returns ``(log_name, metric)`` for a name or a ready ``torchmetrics.Metric``.

    Classification metrics are binary when the loss is ``binary_cross_entropy`` and
    multiclass (macro-averaged, ``num_classes`` from the output size) for
    ``cross_entropy``.

    Examples:
        >>> name, metric = make_metric("acc", "multiclass", num_classes=3)
        >>> name, type(metric).__name__
        ('accuracy', 'MulticlassAccuracy')
    """
    if isinstance(name, torchmetrics.Metric):
        return _snake(type(name).__name__), name
    if not isinstance(name, str):
        raise ConfigError(explain("metric", expected="a name or a torchmetrics.Metric",
                                  received=f"{name!r}"))
    key = _ALIASES.get(name.lower(), name.lower())
    if key in _REGRESSION:
        return key, _REGRESSION[key]()
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
    kwargs: dict[str, Any] = {"task": task}
    if task == "multiclass":
        kwargs.update(num_classes=num_classes)
        if key != "accuracy":
            kwargs["average"] = "macro"
    return key, _CLASSIFICATION[key](**kwargs)


def metric_inputs(y_pred: Tensor, y_true: Tensor, task: Task) -> tuple[Tensor, Tensor]:
    """Flattens predictions and targets to what torchmetrics expects for ``task``.

    ``y_pred`` and ``y_true`` hold only valid (unpadded) samples or steps.
    """
    if task == "multiclass":
        return y_pred.reshape(-1, y_pred.shape[-1]), y_true.reshape(-1)
    if task == "binary":
        return y_pred.reshape(-1), y_true.reshape(-1).long()
    return y_pred.reshape(-1), y_true.reshape(-1)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
