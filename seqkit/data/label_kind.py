"""Labels that are not numbers (strings, objects) need a classification loss.

A regression loss (``mse``, ``mae``, ``huber``, a custom callable) compares numbers: string
labels would be label-encoded and their arbitrary ids regressed. They are refused before
anything is adapted or trained.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqkit.data.contract import TargetLayout
from seqkit.errors import InputTypeError, explain

__all__ = ["check_label_kind"]


def check_label_kind(labels: Any, layout: TargetLayout) -> None:
    """Raises [`InputTypeError`][seqkit.errors.InputTypeError] for non-numeric ``labels``
    with a regression loss (nothing is checked before ``compile``).

    Examples:
        >>> layout = TargetLayout(task="regression", outputs=1, per_step=False)
        >>> try:
        ...     check_label_kind(["spam", "ham"], layout)
        ... except InputTypeError as error:
        ...     print(str(error).split(" but")[0])
        y: expected numbers for a regression loss
    """
    if layout.task != "regression":
        return
    try:
        dtype = str(np.asarray(labels).dtype)
    except (ValueError, TypeError):  # ragged lists of labels
        dtype = type(labels).__name__
    raise InputTypeError(explain(
        "y", expected="numbers for a regression loss",
        received=f"labels of dtype {dtype} (e.g. {_first(labels)!r})",
        fix="for classes compile with loss='cross_entropy' and a Dense(classes) head (or "
            "'binary_cross_entropy' and Dense(1)); for values convert y to numbers"))


def _first(labels: Any) -> Any:
    try:
        return np.asarray(labels, dtype=object).reshape(-1)[0]
    except (ValueError, TypeError, IndexError):
        return labels
