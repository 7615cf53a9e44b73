"""Host-side preprocessing that needs the whole data set: adapting steps, vectorizing text,
encoding labels.

``fit`` adapts what is not adapted yet on the *training* rows only (never validation rows);
every path then transforms the same way. Numeric steps and target scaling run per batch
([`BatchTransform`][seqkit.data.transform.BatchTransform]); only text (strings) is turned
into ids here, for the whole call.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from torch import Tensor

from seqkit.data.adapters import to_tensor
from seqkit.data.contract import DataContract, is_numeric_step
from seqkit.errors import InputError, explain
from seqkit.preprocessing.targets import LabelEncoder

__all__ = ["adapt_inputs", "adapt_targets", "encode_text", "needs_label_encoder"]


def adapt_inputs(contract: DataContract, x: Any, lengths: Tensor | None) -> None:
    """Adapts the input steps that are not adapted yet on the training inputs ``x`` (raw
    strings for a text model, else a batch-major tensor)."""
    if all(step.is_adapted for step in contract.steps):
        return
    values: Any = x
    for step in contract.steps:
        numeric = is_numeric_step(step)
        if numeric:
            values = values if isinstance(values, Tensor) else to_tensor(values, "x")[0]
            values = values.float()
        if not step.is_adapted:
            if numeric:
                step.adapt(values, lengths)
            else:
                step.adapt(values)
        values, lengths = step(values, lengths) if numeric else _vectorized(step, values)


def encode_text(contract: DataContract, x: Any) -> tuple[Tensor, Tensor | None]:
    """Runs the text steps on raw strings: ``(ids, lengths)`` (numeric steps run later, per
    batch)."""
    values: Any = x
    lengths = None
    for step in contract.steps:
        if is_numeric_step(step):
            break
        if not step.is_adapted:
            raise InputError(explain(f"{type(step).__name__}", expected="an adapted step",
                                     received="one that never saw training data",
                                     fix="fit the model first, or call its adapt()"))
        values, lengths = _vectorized(step, values)
    return values, lengths


def adapt_targets(contract: DataContract, y: Any) -> None:
    """Adapts the label encoder (creating one for non-numeric labels) and the target
    scaler, if not adapted yet, on the training targets ``y`` (batch-major)."""
    if contract.label_encoder is None and needs_label_encoder(y):
        contract.label_encoder = LabelEncoder()
        if contract.keep_label_encoder is not None:
            contract.keep_label_encoder(contract.label_encoder)
    if contract.label_encoder is not None and not contract.label_encoder.is_adapted:
        contract.label_encoder.adapt(y)
    scaler = contract.target_scaler
    if scaler is not None and not scaler.is_adapted:
        scaler.adapt(y.float() if isinstance(y, Tensor) else to_tensor(y, "y")[0].float())


def needs_label_encoder(y: Any) -> bool:
    """Whether labels are not numbers (strings, objects): they need encoding.

    Examples:
        >>> needs_label_encoder(["spam", "ham"]), needs_label_encoder([0, 1])
        (True, False)
    """
    if isinstance(y, Tensor):
        return False
    if hasattr(y, "to_numpy"):
        y = y.to_numpy()
    try:
        kind = np.asarray(y).dtype.kind
    except (ValueError, TypeError):
        return False
    return kind in "OUS"


def _vectorized(step: Any, texts: Any) -> tuple[Tensor, Tensor | None]:
    ids, lengths = step(texts)
    if ids.shape[1] == 0:  # every text empty: one padding step keeps shapes valid
        ids = ids.new_zeros((ids.shape[0], 1))
    return ids, lengths
