"""Classification heads sized from the training labels (``num_classes=None``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from seqkit.errors import InputError, explain
from seqkit.layers.core import Dense
from seqkit.layers.ensemble import Ensemble
from seqkit.layers.wide_deep import WideAndDeep
from seqkit.preprocessing._text_checks import preview

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["ClassifierHead", "add_classifier", "check_label_types",
           "classifier_compile_args"]


def classifier_compile_args(num_classes: int, lr: float) -> dict[str, Any]:
    """Loss and metrics for ``num_classes`` softmax probabilities (two classes too):
    ``cross_entropy``, accuracy and macro-averaged F1 (``f1``), AUROC for two classes."""
    metrics = ["accuracy", "f1", "auroc"] if num_classes == 2 else ["accuracy", "f1"]
    return {"loss": "cross_entropy", "metrics": metrics, "lr": lr}


def add_classifier(model: Sequential, num_classes: int) -> None:
    """Adds the output: ``num_classes`` softmax probabilities (two for a binary task, so
    ``predict`` has one column per class, in the order of ``classes_``).

    ``Dense(num_classes, activation="softmax")``; inside a
    [`WideAndDeep`][seqkit.WideAndDeep] its head (both paths output ``num_classes``
    logits, the sum goes through the softmax); into every member when the model ends
    with an [`Ensemble`][seqkit.layers.Ensemble], which then averages the probabilities.
    """
    last = model.layers[-1] if model.layers else None
    if isinstance(last, Ensemble):
        member_end = last.members[0][-1]
        if isinstance(member_end, WideAndDeep):
            for member in last.members:
                member[-1].add_head(num_classes, "softmax")  # type: ignore[operator]
            # the Ensemble saves its members from its stack of configs: keep it in step
            last._stack_config[-1] = {"class_name": "WideAndDeep",
                                      "config": member_end.get_config()}
        else:
            last.add(Dense(num_classes, activation="softmax", name="classifier"))
        last.combine = "mean"
    elif isinstance(last, WideAndDeep):
        last.add_head(num_classes, "softmax")
    else:
        model.add(Dense(num_classes, activation="softmax", name="classifier"))


@dataclass
class ClassifierHead:
    """A head waiting for the labels: ``fit`` calls `attach` with the training labels,
    which adds the ``n``-class softmax head ([`add_classifier`][]) and compiles."""

    lr: float
    extra_compile: dict[str, Any] = field(default_factory=dict)

    def attach(self, model: Sequential, y: Any) -> None:
        check_label_types(y)
        labels = np.asarray(y.cpu() if hasattr(y, "cpu") else y).reshape(-1)
        classes = len(set(labels.tolist()))
        if classes < 2:
            shown = "no labels" if labels.size == 0 else \
                f"1 class ({preview(labels[0])}) in {labels.size} labels"
            raise InputError(explain(
                "classifier labels", expected="at least 2 classes", received=shown,
                fix="train on examples of every class (a classifier learns to tell classes "
                    "apart); check that the labels column was read, not a constant"))
        add_classifier(model, classes)
        model.compile(**classifier_compile_args(classes, self.lr), **self.extra_compile)


def check_label_types(y: Any) -> None:
    """Refuses labels that mix kinds (strings with numbers, or with ``None``): numpy would
    turn them all into strings silently, and ``1`` and ``"1"`` would be one class.

    Examples:
        >>> check_label_types(["spam", "ham"])
        >>> try:
        ...     check_label_types(["spam", 1])
        ... except InputError as error:
        ...     print(str(error).split(";")[0])
        classifier labels: expected labels of one kind (all strings, all integers or all \
booleans) but received str at index 0 and int at index 1
    """
    if isinstance(y, np.ndarray) and y.dtype != object:
        return
    if not isinstance(y, list | tuple | np.ndarray):
        return
    kinds: dict[str, int] = {}
    for index, label in enumerate(np.asarray(y, dtype=object).reshape(-1).tolist()):
        kind = _kind(label)
        kinds.setdefault(kind, index)
        if len(kinds) > 1:
            (first, at), (second, where) = kinds.items()
            raise InputError(explain(
                "classifier labels",
                expected="labels of one kind (all strings, all integers or all booleans)",
                received=f"{first} at index {at} and {second} at index {where}",
                fix="convert them to one kind first, e.g. [str(label) for label in y]"
                    if "NoneType" not in kinds else "drop or fill the rows without a label"))


def _kind(label: Any) -> str:
    if isinstance(label, bool | np.bool_):
        return "bool"
    if isinstance(label, int | np.integer):
        return "int"
    if isinstance(label, float | np.floating):
        return "int" if float(label).is_integer() else "float"
    return type(label).__name__
