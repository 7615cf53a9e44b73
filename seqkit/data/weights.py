"""Sample and class weights: one weight per sample, multiplying its loss."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from torch import Tensor

from seqkit.data.adapters import to_tensor
from seqkit.data.checks import check_finite, check_same_count
from seqkit.errors import InputError, explain
from seqkit.preprocessing.targets import LabelEncoder

__all__ = ["sample_weights"]


def sample_weights(sample_weight: Any, class_weight: Mapping[Any, float] | str | None,
                   y: Tensor | None, n: int, encoder: LabelEncoder | None) -> Tensor | None:
    """Each sample's weight: ``sample_weight`` times its class's ``class_weight``.

    ``class_weight`` keys are labels as the user gave them: through the model's label
    encoder when it has one; ``"balanced"`` weighs each class by ``n / (classes * count)``
    in these labels (``y``: the encoded targets).

    Examples:
        >>> import torch
        >>> sample_weights([1.0, 2.0, 1.0], {1: 3.0}, torch.tensor([0, 1, 1]), 3, None)
        tensor([1., 6., 3.])
    """
    weight = None
    if sample_weight is not None:
        weight, _ = to_tensor(sample_weight, "sample_weight")
        check_same_count("sample_weight", weight.shape[0], n)
        weight = weight.float().reshape(n)
        check_finite(weight, "sample_weight")
    if class_weight is not None:
        by_id = (_balanced_weights(y) if class_weight == "balanced"
                 else _class_ids(class_weight, encoder))
        weight = _apply_class_weight(by_id, y, weight)
    return weight


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


def _class_ids(class_weight: Mapping[Any, float], encoder: LabelEncoder | None
               ) -> dict[int, float]:
    """``class_weight`` keyed by class id: keys in the user's labels go through the
    (adapted) label encoder; without one, keys must be the integer labels themselves."""
    if not isinstance(class_weight, Mapping):
        raise InputError(explain("fit class_weight",
                                 expected="a dict {label: weight} or \"balanced\"",
                                 received=repr(class_weight)[:60],
                                 fix='e.g. class_weight={"spam": 3.0, "ham": 1.0} or '
                                     'class_weight="balanced"'))
    values = {}
    for key, value in class_weight.items():
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise InputError(explain("fit class_weight", expected="numbers as weights",
                                     received=f"{{{key!r}: {value!r}}}"))
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
           if isinstance(key, bool) or not isinstance(key, int | np.integer) or key < 0]
    if bad:
        raise InputError(explain(
            "fit class_weight", expected="non-negative integer class ids as keys "
            "(the labels in y)", received=f"keys {sorted(bad, key=repr)[:5]}",
            fix="key the weights by the labels exactly as they appear in y"))
    return {int(key): value for key, value in values.items()}


def _apply_class_weight(
    class_weight: Mapping[int, float], y: Tensor | None, weight: Tensor | None
) -> Tensor:
    labels = _class_labels(y)
    table = torch.ones(int(max(labels.max().item(), *class_weight)) + 1)
    for label, value in class_weight.items():
        table[label] = value
    per_sample = table[labels]
    return per_sample if weight is None else weight * per_sample
