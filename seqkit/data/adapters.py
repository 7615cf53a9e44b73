"""Turning user data (numpy, tensors, ragged lists, pandas) into checked tensors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

from seqkit.errors import InputError, InputTypeError, explain

__all__ = ["check_finite", "pad_sequences", "to_tensor"]


def to_tensor(data: Any, arg: str) -> tuple[Tensor, Tensor | None]:
    """Converts ``data`` to a tensor, padding ragged sequences.

    Float64 becomes float32 (the dtype of the weights); integers and bools are kept.

    Args:
        data: A numpy array, tensor, pandas object, nested list, or a list of sequences of
            different lengths (padded with zeros at the end).
        arg: The argument name for messages (``"x"``, ``"y"``, ...).

    Returns:
        ``(tensor, lengths)``; ``lengths`` is ``None`` unless ``data`` was ragged.

    Examples:
        >>> x, lengths = to_tensor([[1.0, 2.0, 3.0], [4.0]], "x")
        >>> x.tolist(), lengths.tolist()
        ([[1.0, 2.0, 3.0], [4.0, 0.0, 0.0]], [3, 1])
    """
    if isinstance(data, Tensor):
        tensor = data
    else:
        if hasattr(data, "to_numpy"):  # pandas Series / DataFrame
            data = data.to_numpy()
        if isinstance(data, list | tuple) and _is_ragged(data):
            return pad_sequences(data, arg)
        try:
            array = np.asarray(data)
        except (ValueError, TypeError) as error:
            raise InputTypeError(
                explain(arg, expected="a numeric array, tensor or list of sequences",
                        received=f"{type(data).__name__} ({error})")
            ) from None
        _check_numeric_dtype(array.dtype, arg)
        if not array.flags.writeable:  # e.g. windows() views; torch wants writable memory
            array = array.copy()
        tensor = torch.from_numpy(np.ascontiguousarray(array))
    _check_numeric_dtype(tensor.dtype, arg)
    if tensor.dtype == torch.float64:
        tensor = tensor.float()
    if tensor.dim() == 0 or tensor.shape[0] == 0:
        raise InputError(explain(arg, expected="at least one sample",
                                 received=f"shape {tuple(tensor.shape)}"))
    return tensor, None


def pad_sequences(sequences: Sequence[Any], arg: str) -> tuple[Tensor, Tensor]:
    """Pads sequences of different lengths with zeros at the end.

    Args:
        sequences: Each ``(time_i,)`` or ``(time_i, features)``.
        arg: Argument name for messages.

    Returns:
        ``(padded, lengths)``: ``(batch, max_time[, features])`` and ``(batch,)`` int64.

    Examples:
        >>> padded, lengths = pad_sequences([[[1.0], [2.0]], [[3.0]]], "x")
        >>> tuple(padded.shape), lengths.tolist()
        ((2, 2, 1), [2, 1])
    """
    if len(sequences) == 0:
        raise InputError(explain(arg, expected="at least one sample", received="an empty list"))
    tensors = [to_tensor(seq, f"{arg}[{i}]")[0] for i, seq in enumerate(sequences)]
    tails = {tuple(t.shape[1:]) for t in tensors}
    if len(tails) > 1:
        raise InputError(
            explain(f"{arg} sequences", expected="the same feature shape after the time axis",
                    received=f"feature shapes {sorted(tails)}")
        )
    lengths = torch.tensor([t.shape[0] for t in tensors], dtype=torch.int64)
    padded = torch.nn.utils.rnn.pad_sequence(tensors, batch_first=True)
    return padded, lengths


def check_finite(tensor: Tensor, arg: str) -> None:
    """Raises [`InputError`][] if a float tensor holds NaN or inf."""
    if tensor.dtype.is_floating_point and not bool(torch.isfinite(tensor).all()):
        bad = (~torch.isfinite(tensor)).nonzero()[0].tolist()
        raise InputError(
            explain(arg, expected="finite numbers", received=f"NaN or inf (first at index {bad})",
                    fix="drop or impute missing values before training")
        )


def _is_ragged(data: Sequence[Any]) -> bool:
    if len(data) == 0:
        return False
    first = data[0]
    if not hasattr(first, "__len__") or isinstance(first, str | bytes):
        return False
    return any(not hasattr(s, "__len__") or len(s) != len(first) for s in data)


def _check_numeric_dtype(dtype: Any, arg: str) -> None:
    if isinstance(dtype, torch.dtype):
        ok = dtype.is_floating_point or dtype in (torch.int64, torch.int32, torch.int16,
                                                  torch.int8, torch.uint8, torch.bool)
    else:
        ok = np.dtype(dtype).kind in "biuf"
    if not ok:
        raise InputTypeError(
            explain(arg, expected="numbers (bool, int or float)", received=f"dtype {dtype}",
                    fix="convert strings to numbers first, or start the model with a "
                    "TextVectorizer for text")
        )
