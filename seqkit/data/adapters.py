"""Turning user data (numpy, tensors, ragged lists, pandas) into tensors, without copies.

Arrays become tensors that share their memory (read-only views such as
[`windows`][seqkit.data.windows.windows] too): dtypes are converted later, per batch, so a large
input is never copied whole.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

from seqkit.errors import InputError, InputTypeError, explain

__all__ = ["pad_sequences", "to_series", "to_tensor"]


def to_tensor(data: Any, arg: str, *, allow_empty: bool = False
              ) -> tuple[Tensor, Tensor | None]:
    """Converts ``data`` to a tensor, padding ragged sequences.

    Arrays and tensors keep their dtype and memory (no copy, except for arrays with
    negative strides); ragged sequences are padded into a new tensor.

    Args:
        data: A numpy array, tensor, pandas object, nested list, or a list of sequences of
            different lengths (padded with zeros at the end).
        arg: The argument name for messages (``"x"``, ``"y"``, ...).
        allow_empty: Take a first axis of size 0 (one sequence of a ragged list may have
            no steps).

    Returns:
        ``(tensor, lengths)``; ``lengths`` is ``None`` unless ``data`` was ragged.

    Examples:
        >>> x, lengths = to_tensor([[1.0, 2.0, 3.0], [4.0]], "x")
        >>> x.tolist(), lengths.tolist()
        ([[1.0, 2.0, 3.0], [4.0, 0.0, 0.0]], [3, 1])
        >>> import numpy as np
        >>> array = np.zeros((2, 3))
        >>> to_tensor(array, "x")[0].data_ptr() == array.ctypes.data  # shared, still float64
        True
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
        tensor = _shared_tensor(array)
    _check_numeric_dtype(tensor.dtype, arg)
    if tensor.dim() == 0 or (tensor.shape[0] == 0 and not allow_empty):
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
        A sequence may be empty (length 0, e.g. ``[]``): its row is all padding.

    Examples:
        >>> padded, lengths = pad_sequences([[[1.0], [2.0]], [[3.0]]], "x")
        >>> tuple(padded.shape), lengths.tolist()
        ((2, 2, 1), [2, 1])
        >>> pad_sequences([[[1.0], [2.0]], []], "x")[1].tolist()
        [2, 0]
    """
    if len(sequences) == 0:
        raise InputError(explain(arg, expected="at least one sample", received="an empty list"))
    tensors = [to_tensor(seq, f"{arg}[{i}]", allow_empty=True)[0]
               for i, seq in enumerate(sequences)]
    shaped = [t for t in tensors if t.shape[0] > 0]
    if shaped:  # an empty `[]` takes the others' feature shape (and dtype)
        like = shaped[0]
        tensors = [like.new_zeros((0, *like.shape[1:])) if t.numel() == 0 and t.dim() == 1
                   else t for t in tensors]
    tails = {tuple(t.shape[1:]) for t in tensors}
    if len(tails) > 1:
        raise InputError(
            explain(f"{arg} sequences", expected="the same feature shape after the time axis",
                    received=f"feature shapes {sorted(tails)}")
        )
    lengths = torch.tensor([t.shape[0] for t in tensors], dtype=torch.int64)
    padded = torch.nn.utils.rnn.pad_sequence(tensors, batch_first=True)
    return padded, lengths


def to_series(data: Any, arg: str) -> np.ndarray:
    """One numeric series as a flat float32 array (a list, array, tensor or pandas
    Series), checked to hold finite numbers; strings and objects are refused.

    Examples:
        >>> to_series([1, 2, 3], "history")
        array([1., 2., 3.], dtype=float32)
        >>> try:
        ...     to_series(["a", "b"], "history")
        ... except InputTypeError as error:
        ...     print(str(error).split(";")[0])
        history: expected numbers (bool, int or float) but received dtype <U1
    """
    tensor, _ = to_tensor(data.detach().cpu() if isinstance(data, Tensor) else data, arg)
    values = tensor.float().reshape(-1)
    if not bool(torch.isfinite(values).all()):
        index = int((~torch.isfinite(values)).nonzero()[0][0])
        raise InputError(explain(arg, expected="finite numbers",
                                 received=f"{float(values[index])} at index {index}",
                                 fix="drop or impute missing values first"))
    return values.numpy()


def _shared_tensor(array: np.ndarray) -> Tensor:
    """A tensor on ``array``'s memory. Read-only arrays (``windows`` views) are shared too:
    the pipeline only reads its inputs, and gathers each batch into new memory."""
    if any(stride < 0 for stride in array.strides):  # torch has no negative strides
        array = array.copy()
    if array.flags.writeable:
        return torch.from_numpy(array)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not writable.*")
        return torch.from_numpy(array)


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
