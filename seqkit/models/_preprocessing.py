"""Host-side preprocessing around a model: input steps, label encoding, target scaling.

``fit`` adapts what is not adapted yet on the *training* rows only (never validation
rows), then every path (``fit``, ``evaluate``, ``predict``, streams) transforms the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from torch import Tensor

from seqkit.data.adapters import to_tensor
from seqkit.data.batch import Batch
from seqkit.errors import ConfigError, InputError, NotBuiltError, explain
from seqkit.preprocessing.targets import LabelEncoder

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential

__all__ = ["adapt_preprocessing", "input_tensor", "needs_label_encoder",
           "preprocess_loader_batch", "take_rows", "target_tensor"]


def input_tensor(model: Sequential, x: Any, lengths: Tensor | None
                 ) -> tuple[Tensor, Tensor | None]:
    """Runs the model's input steps on ``x`` (or just converts it): ``(values, lengths)``."""
    steps = model.preprocessing
    if not steps:
        values, ragged = to_tensor(x, "x")
        return values, ragged if lengths is None else lengths
    values: Any = x
    for step in steps:
        if not step.is_adapted:
            raise InputError(explain(f"{type(step).__name__}", expected="an adapted step",
                                     received="one that never saw training data",
                                     fix="fit the model first, or call its adapt()"))
        values, lengths = _apply(step, values, lengths)
    return values, lengths


def adapt_preprocessing(model: Sequential, x: Any, y: Any, lengths: Tensor | None) -> None:
    """Adapts the input steps, label encoder and target scaler that are not adapted yet,
    on training data only."""
    values: Any = x
    for step in model.preprocessing:
        if not step.is_adapted:
            if _is_numeric_step(step):
                values, lengths = _numeric(values, lengths)
                step.adapt(values, lengths)
            else:
                step.adapt(values)
        values, lengths = _apply(step, values, lengths)
    if y is None:
        return
    if model.label_encoder is None and needs_label_encoder(y):
        model.label_encoder = LabelEncoder()
    if model.label_encoder is not None and not model.label_encoder.is_adapted:
        model.label_encoder.adapt(y)
    if model.target_scaler is not None and not model.target_scaler.is_adapted:
        model.target_scaler.adapt(to_tensor(y, "y")[0].float())


def target_tensor(model: Sequential, y: Any) -> Tensor:
    """Targets as the loss sees them: class ids for encoded labels, scaled values when the
    model scales its targets."""
    if model.label_encoder is not None:
        return model.label_encoder.encode(y)
    tensor, _ = to_tensor(y, "y")
    if model.target_scaler is not None and model.target_scaler.is_adapted:
        tensor = model.target_scaler.transform(tensor.float())
    return tensor


def preprocess_loader_batch(model: Sequential, batch: Batch) -> Batch:
    """Applies the model's numeric steps and target scaling to a batch from a user's
    ``DataLoader`` (on its device). They must be adapted already: loaders give no chance
    to adapt on the training rows first."""
    x, lengths, y = batch.x, batch.lengths, batch.y
    for step in model.preprocessing:
        if not _is_numeric_step(step):
            raise ConfigError(explain(
                "DataLoader batches", expected="token ids for a model with a TextVectorizer",
                received="a model whose TextVectorizer cannot run on tensors",
                fix="vectorize texts in your Dataset, or pass the strings to model.fit"))
        _require_adapted(step, "DataLoader batches")
        x = step(x.float(), lengths)[0]
    scaler = model.target_scaler
    if scaler is not None and y is not None:
        _require_adapted(scaler, "DataLoader batches")
        y = scaler.transform(y.to(x.dtype if x.dtype.is_floating_point else y.dtype))
    return batch._replace(x=x, y=y)


def _require_adapted(step: Any, what: str) -> None:
    if not step.is_adapted:
        raise NotBuiltError(explain(
            what, expected=f"an adapted {type(step).__name__}", received="one never adapted",
            fix="fit once on arrays (which adapts it), or call its adapt() on training data"))


def needs_label_encoder(y: Any) -> bool:
    """Whether labels are not numbers (strings, objects): they need encoding."""
    if isinstance(y, Tensor):
        return False
    if hasattr(y, "to_numpy"):
        y = y.to_numpy()
    try:
        kind = np.asarray(y).dtype.kind
    except (ValueError, TypeError):
        return False
    return kind in "OUS"


def take_rows(data: Any, start: int, stop: int) -> Any:
    """Rows ``start:stop`` of a list, array, tensor or pandas object (``None`` stays)."""
    if data is None:
        return None
    if hasattr(data, "iloc"):
        return data.iloc[start:stop]
    return data[start:stop]


def _apply(step: Any, values: Any, lengths: Tensor | None) -> tuple[Any, Tensor | None]:
    if _is_numeric_step(step):
        values, lengths = _numeric(values, lengths)
        return tuple(step(values, lengths))  # type: ignore[return-value]
    ids, lengths = step(values)
    if ids.shape[1] == 0:  # every text empty: one padding step keeps shapes valid
        ids = ids.new_zeros((ids.shape[0], 1))
    return ids, lengths


def _numeric(values: Any, lengths: Tensor | None) -> tuple[Tensor, Tensor | None]:
    if isinstance(values, Tensor) and values.dtype.is_floating_point:
        return values, lengths
    tensor, ragged = to_tensor(values, "x")
    return tensor.float(), ragged if lengths is None else lengths


def _is_numeric_step(step: Any) -> bool:
    # Text steps take raw strings; numeric steps take (values, lengths).
    return not hasattr(step, "vocabulary")
