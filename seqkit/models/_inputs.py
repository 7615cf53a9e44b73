"""Checking and converting ``fit`` / ``evaluate`` / ``predict`` data for a model, before
any training starts, so bad input fails fast with one clear message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import Tensor

from seqkit.data.adapters import check_finite, to_tensor
from seqkit.data.batch import Batch
from seqkit.errors import ConfigError, InputError, InputTypeError, explain
from seqkit.layers.embedding import Embedding, lengths_from_padding
from seqkit.models._preprocessing import input_tensor, target_tensor

if TYPE_CHECKING:
    from seqkit.models.sequential import Sequential
    from seqkit.preprocessing.targets import LabelEncoder

__all__ = ["call_inputs", "data_input_shape", "lengths_tensor", "prepare_inputs",
           "same_count", "split_point"]


def prepare_inputs(
    model: Sequential,
    x: Any,
    y: Any = None,
    *,
    lengths: Any = None,
    sample_weight: Any = None,
    class_weight: Mapping[Any, float] | str | None = None,
) -> Batch:
    """Converts user data to one batch-major [`Batch`][] of checked tensors.

    Builds the model from ``x`` if it is not built yet, then checks ``x`` against the
    first layer, and ``y`` against the output and loss. ``class_weight`` keys are labels
    as the user gave them: through the model's label encoder when it has one;
    ``"balanced"`` weighs each class by ``n / (classes * count)`` in these labels.
    """
    if not model.layers:
        raise ConfigError(explain("Sequential", expected="a model with layers",
                                  received="an empty model", fix="add layers first"))
    given_lengths = None if lengths is None else to_tensor(lengths, "lengths")[0]
    x_tensor, ragged_lengths = input_tensor(model, x, None)
    if not model.batch_first:
        x_tensor = x_tensor.transpose(0, 1).contiguous()
    first = model.input_layer
    starts_with_ids = isinstance(first, Embedding)
    x_tensor = _input_dtype(x_tensor, starts_with_ids)
    check_finite(x_tensor, "x")
    n = x_tensor.shape[0]
    length_tensor = (ragged_lengths if given_lengths is None
                     else _lengths(given_lengths, n, x_tensor))

    model.layers[0].check_input_shape(tuple(x_tensor.shape))
    if not model.built:
        model.build(_layout(data_input_shape(model, x_tensor, ragged_lengths is not None),
                            model.batch_first))
    if starts_with_ids:
        _check_ids(x_tensor, first)  # type: ignore[arg-type]
        if length_tensor is None and first.mask_zero:  # type: ignore[attr-defined]
            # The Embedding would find the same lengths on the device, per batch; found
            # here on the host once, they also let batches be cut after their longest.
            length_tensor = lengths_from_padding(x_tensor)

    y_tensor = None
    if y is not None:
        y_tensor = target_tensor(model, y)
        if not model.batch_first and y_tensor.dim() >= 2 and y_tensor.shape[1] == n:
            y_tensor = y_tensor.transpose(0, 1).contiguous()
        _same_length("y", y_tensor.shape[0], n)
        check_finite(y_tensor, "y")
        y_tensor = _check_targets(model, y_tensor)

    weight = None
    if sample_weight is not None:
        weight, _ = to_tensor(sample_weight, "sample_weight")
        _same_length("sample_weight", weight.shape[0], n)
        weight = weight.float().reshape(n)
        check_finite(weight, "sample_weight")
    if class_weight is not None:
        by_id = (_balanced_weights(y_tensor) if class_weight == "balanced"
                 else _class_ids(class_weight, model.label_encoder))
        weight = _apply_class_weight(by_id, y_tensor, weight)
    return Batch(x_tensor, y_tensor, length_tensor, weight)


def call_inputs(model: Sequential, x: Any, lengths: Any = None
                ) -> tuple[Tensor, Tensor | None]:
    """``model(x)``'s input as tensors on the model's device, for ``x`` that is not a tensor.

    Numpy arrays (and nested or ragged lists) become what ``predict`` would feed: float32
    values, or int64 token ids when the model starts with an ``Embedding``; ragged rows are
    padded and their lengths used unless ``lengths`` is given. No preprocessing step runs
    (as for a tensor given to ``model(x)``); ``predict`` runs them.

    Examples:
        >>> import numpy as np, seqkit as sk
        >>> x, lengths = call_inputs(sk.Sequential([sk.LSTM(2)]), np.zeros((4, 6, 3)))
        >>> x.dtype, x.shape, lengths
        (torch.float32, torch.Size([4, 6, 3]), None)
    """
    tensor, ragged_lengths = to_tensor(x, "x")
    tensor = _input_dtype(tensor, isinstance(model.input_layer, Embedding))
    if lengths is not None and not isinstance(lengths, Tensor):
        lengths = lengths_tensor(lengths)
    lengths = ragged_lengths if lengths is None else lengths
    device = model.device
    return tensor.to(device), None if lengths is None else lengths.to(device)


def split_point(n: int, fraction: float) -> int:
    """Index where the last ``fraction`` of ``n`` samples starts (Keras's
    ``validation_split``), checked to leave samples on both sides."""
    n_val = int(n * fraction)
    if n_val == 0 or n_val == n:
        raise InputError(
            explain("fit validation_split", expected="a fraction leaving samples on both sides",
                    received=f"validation_split={fraction} of {n} samples "
                    f"({n_val} for validation)")
        )
    return n - n_val


def same_count(x: Any, y: Any) -> None:
    """Raises [`InputError`][] unless ``x`` and ``y`` have as many samples."""
    if hasattr(x, "__len__") and hasattr(y, "__len__"):
        _same_length("y", len(y), len(x))


def lengths_tensor(lengths: Any) -> Tensor | None:
    """User-given lengths as an int64 tensor (or ``None``)."""
    return None if lengths is None else to_tensor(lengths, "lengths")[0].long()


def data_input_shape(model: Sequential, x: Tensor, padded: bool) -> tuple[int | None, ...]:
    """The batch-major shape to build ``model`` for from data ``x``: the batch axis
    ``None``, and the time axis ``None`` too when ``padded`` (rows padded to the longest of
    this call or batch: ragged lists, text, a loader's lengths), since its size is the
    data's, not the model's. A ``TextVectorizer`` with ``output_sequence_length`` keeps it,
    as Keras shows it.

    Examples:
        >>> import torch, seqkit as sk
        >>> model = sk.Sequential([sk.LSTM(2)])
        >>> data_input_shape(model, torch.zeros(4, 6, 3), padded=True)
        (None, None, 3)
        >>> data_input_shape(model, torch.zeros(4, 6, 3), padded=False)
        (None, 6, 3)
    """
    fixed = any(getattr(step, "output_sequence_length", None) is not None
                for step in model.preprocessing)
    if padded and not fixed and x.dim() >= 2:
        return (None, None, *x.shape[2:])
    return (None, *x.shape[1:])


def _layout(shape: tuple[Any, ...], batch_first: bool) -> tuple[Any, ...]:
    return shape if batch_first else (shape[1], shape[0], *shape[2:])


def _input_dtype(x: Tensor, starts_with_ids: bool) -> Tensor:
    if starts_with_ids:
        if x.dtype.is_floating_point:
            raise InputTypeError(
                explain("x", expected="integer token ids (the model starts with an Embedding)",
                        received=f"dtype {x.dtype}", fix="convert with x.astype('int64')")
            )
        return x.long()
    return x if x.dtype.is_floating_point else x.float()


def _lengths(tensor: Tensor, n: int, x: Tensor) -> Tensor:
    _same_length("lengths", tensor.shape[0], n)
    tensor = tensor.reshape(n).long()
    if x.dim() < 2 or bool((tensor < 0).any()) or bool((tensor > x.shape[1]).any()):
        raise InputError(
            explain("lengths", expected=f"integers between 0 and the time axis ({x.shape[1]})",
                    received=f"values from {int(tensor.min())} to {int(tensor.max())}")
        )
    return tensor


def _same_length(arg: str, got: int, n: int) -> None:
    if got != n:
        raise InputError(
            explain(arg, expected=f"{n} samples (as many as x)", received=f"{got} samples",
                    fix="x and y must have the same first (batch) axis")
        )


def _check_ids(x: Tensor, embedding: Embedding) -> None:
    low, high = int(x.min()), int(x.max())
    if low < 0 or high >= embedding.vocab_size:
        raise InputError(
            explain(f"{embedding.label} ids",
                    expected=f"ids in [0, {embedding.vocab_size - 1}] (vocab_size="
                    f"{embedding.vocab_size})", received=f"ids from {low} to {high}",
                    fix="raise vocab_size or map rare ids to an out-of-vocabulary id")
        )


def _check_targets(model: Sequential, y: Tensor) -> Tensor:
    settings = model.compile_settings
    if settings is None:
        return y.float() if not y.dtype.is_floating_point else y
    task = settings.loss_spec().task
    outputs = model.output_shape[-1]
    if task == "multiclass":
        if y.dtype.is_floating_point and not bool((y == y.round()).all()):
            raise InputTypeError(
                explain("y", expected="integer class labels for loss='cross_entropy'",
                        received=f"non-integer values of dtype {y.dtype}",
                        fix="pass class ids 0..num_classes-1, not one-hot or probabilities")
            )
        y = y.long()
        low, high = int(y.min()), int(y.max())
        if low < 0 or high >= (outputs or 0):
            raise InputError(
                explain("y labels", expected=f"class ids in [0, {outputs - 1}] for a model "
                        f"with {outputs} outputs", received=f"labels from {low} to {high}",
                        fix=f"make the last layer Dense({high + 1}) or remap the labels")
            )
        return y
    y = y.float()
    if task == "binary" and (bool((y < 0).any()) or bool((y > 1).any())):
        raise InputError(
            explain("y", expected="targets in [0, 1] for loss='binary_cross_entropy'",
                    received=f"values from {float(y.min())} to {float(y.max())}")
        )
    return y


def _class_labels(y: Tensor | None) -> Tensor:
    """One integer class id per sample (the first target column, as Keras does)."""
    if y is None:
        raise InputError(explain("fit class_weight", expected="labels y", received="y=None",
                                 fix="pass the labels as y, or leave class_weight out"))
    return y.reshape(y.shape[0], -1)[:, 0].long()


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
