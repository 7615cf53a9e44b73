"""Sample and class weights: one weight per sample, multiplying its loss."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from torch import Tensor

from seqkit.data.adapters import to_tensor
from seqkit.data.checks import check_finite, check_same_count, check_weight_values
from seqkit.data.contract import TargetLayout
from seqkit.errors import ConfigError, InputError, explain
from seqkit.preprocessing.targets import LabelEncoder

__all__ = ["sample_weights"]


def sample_weights(sample_weight: Any, class_weight: Mapping[Any, float] | str | None,
                   y: Tensor | None, n: int, encoder: LabelEncoder | None, *,
                   layout: TargetLayout | None = None) -> Tensor | None:
    """Each sample's weight: ``sample_weight`` times its class's ``class_weight``.

    ``sample_weight`` holds one finite number >= 0 per sample (shape ``(n,)`` or
    ``(n, 1)``). ``class_weight`` keys are labels as the user gave them: through the
    model's label encoder when it has one; ``"balanced"`` weighs each class by
    ``n / (classes * count)`` in these labels (``y``: the encoded targets). Its values are
    finite numbers >= 0, and it needs a classification loss (``layout``: the model's
    targets, when known), with keys among the model's classes (``0..outputs-1``, or 0 and 1
    for one binary output).

    Examples:
        >>> import torch
        >>> sample_weights([1.0, 2.0, 1.0], {1: 3.0}, torch.tensor([0, 1, 1]), 3, None)
        tensor([1., 6., 3.])
    """
    weight = None
    if sample_weight is not None:
        weight, _ = to_tensor(sample_weight, "sample_weight")
        check_same_count("sample_weight", weight.shape[0], n)
        if weight.numel() != n:
            raise InputError(explain(
                "sample_weight", expected=f"one weight per sample, shape ({n},)",
                received=f"shape {tuple(weight.shape)}",
                fix="pass a 1-D array of weights; per-step weights are not supported"))
        weight = weight.float().reshape(n)
        check_finite(weight, "sample_weight")
        check_weight_values(weight, "sample_weight")
    if class_weight is not None:
        _check_classification(class_weight, layout)
        by_id = (_balanced_weights(y) if _is_balanced(class_weight)
                 else _class_ids(class_weight, encoder, _class_count(layout)))
        weight = _apply_class_weight(by_id, y, weight)
    return weight


def _is_balanced(class_weight: Any) -> bool:
    return isinstance(class_weight, str) and class_weight == "balanced"


def _check_classification(class_weight: Any, layout: TargetLayout | None) -> None:
    """``class_weight`` weighs classes: refused with a regression loss, whose targets have
    no classes (they would be rounded to ints)."""
    if layout is not None and layout.task == "regression":
        raise ConfigError(explain(
            "fit class_weight", expected="a classification loss (cross_entropy, "
            "binary_cross_entropy, categorical_crossentropy)",
            received=f"class_weight={_short(class_weight)} with a regression loss",
            fix="leave class_weight out (use sample_weight to weigh samples), or compile "
                "with a classification loss"))


def _class_count(layout: TargetLayout | None) -> int | None:
    """How many classes the model's output has (``None`` when unknown)."""
    if layout is None or layout.outputs is None or layout.task is None:
        return None
    return 2 if layout.task == "binary" and layout.outputs == 1 else layout.outputs


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _class_labels(y: Tensor | None) -> Tensor:
    """One integer class id per sample, as Keras finds it: the argmax of one-hot targets
    (several values on the last axis), else the first target value."""
    if y is None:
        raise InputError(explain("fit class_weight", expected="labels y", received="y=None",
                                 fix="pass the labels as y, or leave class_weight out"))
    if y.dim() >= 2 and y.shape[-1] > 1:
        return y.reshape(y.shape[0], -1, y.shape[-1])[:, 0].argmax(dim=-1)
    return y.reshape(y.shape[0], -1)[:, 0].round().long()


def _balanced_weights(y: Tensor | None) -> dict[int, float]:
    """scikit-learn's ``"balanced"`` weights: ``n / (classes * count)`` per class present,
    so every class adds the same total weight to the loss."""
    classes, counts = torch.unique(_class_labels(y), return_counts=True)
    n, k = float(counts.sum()), len(classes)
    return {int(c): n / (k * float(count)) for c, count in zip(classes, counts, strict=True)}


def _class_ids(class_weight: Mapping[Any, float], encoder: LabelEncoder | None,
               classes: int | None = None) -> dict[int, float]:
    """``class_weight`` keyed by class id: keys in the user's labels go through the
    (adapted) label encoder; without one, keys must be the integer labels themselves, below
    ``classes`` when the model's class count is known."""
    if not isinstance(class_weight, Mapping):
        raise InputError(explain("fit class_weight",
                                 expected="a dict {label: weight} or \"balanced\"",
                                 received=repr(class_weight)[:60],
                                 fix='e.g. class_weight={"spam": 3.0, "ham": 1.0} or '
                                     'class_weight="balanced"'))
    values = {}
    for key, value in class_weight.items():
        if isinstance(value, bool) or not isinstance(value, int | float | np.number) \
                or not 0 <= float(value) < float("inf"):
            raise InputError(explain("fit class_weight", expected="finite numbers >= 0 as "
                                     "weights", received=f"{{{key!r}: {value!r}}}"))
        values[key] = float(value)
    if encoder is not None and encoder.is_adapted:
        index = {label: i for i, label in enumerate(encoder.classes or [])}
        unknown = [key for key in values if key not in index]
        if unknown:
            raise InputError(explain(
                "fit class_weight", expected=f"keys among the training labels {encoder.classes}",
                received=f"unknown keys {sorted(unknown, key=repr)[:5]}",
                fix="key the weights by the labels exactly as they appear in y"))
        return {index[key]: value for key, value in values.items()}
    bad = [key for key in values
           if isinstance(key, bool) or not isinstance(key, int | np.integer) or key < 0
           or (classes is not None and key >= classes)]
    if bad:
        among = "" if classes is None else f" in [0, {classes - 1}], the model's classes"
        raise InputError(explain(
            "fit class_weight", expected=f"non-negative integer class ids as keys{among} "
            "(the labels in y)", received=f"keys {sorted(bad, key=repr)[:5]}",
            fix="key the weights by the labels exactly as they appear in y"))
    return {int(key): value for key, value in values.items()}


def _apply_class_weight(
    class_weight: Mapping[int, float], y: Tensor | None, weight: Tensor | None
) -> Tensor:
    labels = _class_labels(y)
    # Keys are class ids checked against the model's classes (and labels against its
    # outputs), so the table is as small as the class count.
    table = torch.ones(int(labels.max().item()) + 1)
    for label, value in class_weight.items():
        if label < len(table):  # a class no sample has weighs nothing
            table[label] = value
    per_sample = table[labels]
    return per_sample if weight is None else weight * per_sample
