"""Classification heads sized from the training labels (``num_classes=None``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from seqkit.errors import InputError, explain
from seqkit.layers.core import Dense
from seqkit.layers.ensemble import Ensemble

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["ClassifierHead", "add_classifier", "classifier_compile_args"]


def classifier_compile_args(num_classes: int, lr: float) -> dict[str, Any]:
    """Loss and metrics for ``num_classes``: binary (one logit) for 2, multiclass above."""
    if num_classes == 2:
        return {"loss": "binary_cross_entropy", "metrics": ["accuracy", "f1", "auroc"],
                "lr": lr}
    return {"loss": "cross_entropy", "metrics": ["accuracy", "f1"], "lr": lr}


def add_classifier(model: Sequential, num_classes: int) -> None:
    """Adds the output layer: ``Dense(1)`` (binary) or ``Dense(num_classes)``; into every
    member when the model ends with an [`Ensemble`][seqkit.layers.Ensemble], which then
    averages probabilities."""
    head = Dense(1 if num_classes == 2 else num_classes, name="classifier")
    last = model.layers[-1] if model.layers else None
    if isinstance(last, Ensemble):
        last.add(head)
        last.combine = "sigmoid" if num_classes == 2 else "softmax"
    else:
        model.add(head)


@dataclass
class ClassifierHead:
    """A head waiting for the labels: ``fit`` calls `attach` with the training labels,
    which adds ``Dense(1)`` (binary) or ``Dense(n)`` (multiclass) and compiles."""

    lr: float
    extra_compile: dict[str, Any] = field(default_factory=dict)

    def attach(self, model: Sequential, y: Any) -> None:
        labels = np.asarray(y.cpu() if hasattr(y, "cpu") else y).reshape(-1)
        classes = len(set(labels.tolist()))
        if classes < 2:
            raise InputError(explain("classifier labels", expected="at least 2 classes",
                                     received=f"{classes} class"))
        add_classifier(model, classes)
        model.compile(**classifier_compile_args(classes, self.lr), **self.extra_compile)
