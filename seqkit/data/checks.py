"""Checks of user data before any training starts, in bounded memory.

Every check reads the data in blocks of rows (about 1 MB each), so checking a large array
costs one block of temporaries, not a copy of the array.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import torch
from torch import Tensor

from seqkit.data.contract import TargetLayout, TokenIds
from seqkit.errors import InputError, InputTypeError, explain

__all__ = ["check_finite", "check_ids", "check_input_dtype", "check_lengths",
           "check_same_count", "check_steps_and_features", "check_targets",
           "check_weight_values", "row_blocks"]

BLOCK_BYTES = 1 << 20
"""Bytes of data a check reads at a time."""


def row_blocks(tensor: Tensor, block_bytes: int = BLOCK_BYTES) -> Iterator[tuple[int, Tensor]]:
    """``(first row, rows)`` blocks of ``tensor`` along its first axis, each a view.

    Examples:
        >>> [(start, block.shape[0]) for start, block in row_blocks(torch.zeros(5, 2), 16)]
        [(0, 2), (2, 2), (4, 1)]
    """
    row_bytes = max(tensor[:1].numel() * tensor.element_size(), 1)
    rows = max(block_bytes // row_bytes, 1)
    for start in range(0, tensor.shape[0], rows):
        yield start, tensor[start : start + rows]


def check_finite(tensor: Tensor, arg: str) -> None:
    """Raises [`InputError`][seqkit.errors.InputError] if a float tensor holds NaN or inf.

    Examples:
        >>> try:
        ...     check_finite(torch.tensor([[1.0], [float("nan")]]), "x")
        ... except InputError as error:
        ...     print(str(error).split(";")[0])
        x: expected finite numbers but received NaN or inf (first at index [1, 0])
    """
    if not tensor.dtype.is_floating_point:
        return
    for start, block in row_blocks(tensor):
        if not bool(torch.isfinite(block).all()):
            bad = (~torch.isfinite(block)).nonzero()[0].tolist()
            bad[0] += start
            raise InputError(explain(arg, expected="finite numbers",
                                     received=f"NaN or inf (first at index {bad})",
                                     fix="drop or impute missing values before training"))


def check_same_count(arg: str, got: int, n: int) -> None:
    """Raises [`InputError`][seqkit.errors.InputError] unless ``arg`` has ``n`` samples."""
    if got != n:
        raise InputError(explain(arg, expected=f"{n} samples (as many as x)",
                                 received=f"{got} samples",
                                 fix="x and y must have the same batch axis (the first, or "
                                     "the second for time-major arrays)"))


def check_weight_values(weight: Tensor, arg: str) -> None:
    """Weights multiply losses: each must be >= 0 (a negative one would reward errors).

    Examples:
        >>> try:
        ...     check_weight_values(torch.tensor([1.0, -0.5]), "sample_weight")
        ... except InputError as error:
        ...     print(str(error).split(";")[0])
        sample_weight: expected weights >= 0 but received -0.5 (at index 1)
    """
    for start, block in row_blocks(weight):
        negative = (block < 0).nonzero()
        if len(negative):
            index = start + int(negative[0][0])
            raise InputError(explain(arg, expected="weights >= 0",
                                     received=f"{float(weight[index])} (at index {index})",
                                     fix="weights multiply each sample's loss: use 0 to "
                                         "ignore a sample"))


def check_lengths(lengths: Tensor, n: int, time_steps: int | None) -> Tensor:
    """``lengths`` as ``(n,)`` int64, checked to be whole numbers (``3.0`` is taken, not
    ``2.7``) in ``[0, time_steps]``, one per sample.

    Examples:
        >>> check_lengths(torch.tensor([3.0, 1.0]), 2, 4).tolist()
        [3, 1]
        >>> try:
        ...     check_lengths(torch.tensor([2.7, 1.0]), 2, 4)
        ... except InputError as error:
        ...     print(str(error).split(" but")[0])
        lengths: expected whole numbers of steps
    """
    check_same_count("lengths", lengths.shape[0], n)
    if lengths.numel() != n:
        raise InputError(explain("lengths", expected=f"one length per sample, shape ({n},)",
                                 received=f"shape {tuple(lengths.shape)}"))
    if lengths.dtype == torch.bool:
        raise InputTypeError(explain("lengths", expected="integer lengths",
                                     received="dtype torch.bool",
                                     fix="a (batch, time) mask gives lengths=mask.sum(1)"))
    if lengths.dtype.is_floating_point:
        check_finite(lengths, "lengths")
        if not bool((lengths == lengths.round()).all()):
            raise InputError(explain("lengths", expected="whole numbers of steps",
                                     received=f"{_first_fraction(lengths.reshape(n))}",
                                     fix="round them, e.g. lengths.astype(int)"))
    lengths = lengths.reshape(n).long()
    if time_steps is None or bool((lengths < 0).any()) or bool((lengths > time_steps).any()):
        raise InputError(explain(
            "lengths", expected=f"integers between 0 and the time axis ({time_steps})",
            received=f"values from {int(lengths.min())} to {int(lengths.max())}"))
    return lengths


def check_input_dtype(x: Tensor, token_ids: TokenIds | None) -> None:
    """Token ids for an ``Embedding`` must be integers (not floats, not bools)."""
    if token_ids is not None and (x.dtype.is_floating_point or x.dtype == torch.bool):
        raise InputTypeError(explain(
            "x", expected="integer token ids (the model starts with an Embedding)",
            received=f"dtype {x.dtype}", fix="convert with x.astype('int64')"))


def check_steps_and_features(x: Tensor, token_ids: TokenIds | None) -> None:
    """A batch-major input has at least one time step and one feature (token ids: one
    step). Rows of a ragged list may be empty; the padded batch may not.

    Examples:
        >>> try:
        ...     check_steps_and_features(torch.zeros(4, 0, 2), None)
        ... except InputError as error:
        ...     print(str(error).split(";")[0])
        x: expected at least one time step but received shape (4, 0, 2)
    """
    if x.dim() >= 2 and x.shape[1] == 0:
        raise InputError(explain("x", expected="at least one time step",
                                 received=f"shape {tuple(x.shape)}",
                                 fix="a model needs steps to read: pad empty sequences to "
                                     "one step, or drop them"))
    if token_ids is None and x.dim() >= 3 and 0 in x.shape[2:]:
        raise InputError(explain("x", expected="at least one feature per step",
                                 received=f"shape {tuple(x.shape)}",
                                 fix="the last axis holds the features: x[..., None] adds "
                                     "one to (batch, time) values"))


def check_ids(x: Tensor, token_ids: TokenIds) -> None:
    """Token ids must lie in ``[0, vocab_size)``."""
    low, high = _range(x)
    if low < 0 or high >= token_ids.vocab_size:
        raise InputError(explain(
            f"{token_ids.label} ids", expected=f"ids in [0, {token_ids.vocab_size - 1}] "
            f"(vocab_size={token_ids.vocab_size})", received=f"ids from {low} to {high}",
            fix="raise vocab_size or map rare ids to an out-of-vocabulary id"))


def check_targets(y: Tensor, layout: TargetLayout, time_steps: int | None = None) -> None:
    """``y`` fits the model's output and the loss: one target per output value (per step,
    over the inputs' ``time_steps``, for per-step outputs), class ids in range for
    ``cross_entropy``, values in [0, 1] for ``binary_cross_entropy``, finite numbers."""
    check_finite(y, "y")
    _check_target_shape(y, layout, time_steps)
    if layout.one_hot:
        _check_one_hot(y, layout)
    elif layout.task == "multiclass":
        if y.dtype.is_floating_point and not all(bool((b == b.round()).all())
                                                 for _, b in row_blocks(y)):
            raise InputTypeError(explain(
                "y", expected="integer class labels for loss='cross_entropy'",
                received=f"non-integer values of dtype {y.dtype}",
                fix="pass class ids 0..num_classes-1; for one-hot targets use "
                    "loss='categorical_crossentropy'"))
        low, high = (int(v) for v in _range(y))
        outputs = layout.outputs or 0
        if low < 0 or high >= outputs:
            raise InputError(explain(
                "y labels", expected=f"class ids in [0, {outputs - 1}] for a model with "
                f"{outputs} outputs", received=f"labels from {low} to {high}",
                fix=f"make the last layer Dense({high + 1}) or remap the labels"))
    elif layout.task == "binary":
        low, high = _range(y)
        if low < 0 or high > 1:
            raise InputError(explain(
                "y", expected="targets in [0, 1] for loss='binary_cross_entropy'",
                received=f"values from {float(low)} to {float(high)}"))


def _check_target_shape(y: Tensor, layout: TargetLayout, time_steps: int | None) -> None:
    """Each sample's targets hold as many values as the loss compares with the model's
    output (class ids: one per output row; otherwise one per output value), so nothing is
    broadcast silently."""
    out = layout.output_shape
    if out is None or layout.task is None:
        return
    class_ids = layout.task == "multiclass" and not layout.one_hot
    per_value = out[1:] if layout.per_step else out
    if class_ids:
        per_value = per_value[:-1]
    steps = 1
    if layout.per_step:
        steps = out[0] or time_steps or (y.shape[1] if y.dim() >= 2 else 0)
    expected = steps * math.prod(size or 1 for size in per_value)
    got = math.prod(y.shape[1:])
    if got == expected and (not layout.per_step or (y.dim() >= 2 and y.shape[1] == steps)):
        return
    shape = "(batch, time" + "".join(f", {s}" for s in per_value) + ")" if layout.per_step \
        else "(batch" + "".join(f", {s}" for s in per_value) + ")" if per_value else "(batch,)"
    if class_ids and got == (layout.outputs or 0) * steps:
        fix = "for one-hot targets use loss='categorical_crossentropy'"
    elif layout.one_hot and got == steps:
        fix = "for integer class ids use loss='sparse_categorical_crossentropy'"
    elif not layout.per_step and y.dim() >= 3:
        fix = ("targets with a time axis need per-step outputs: return_sequences=True on "
               "the last recurrent layer")
    elif layout.per_step and out[0] and time_steps and out[0] != time_steps:
        fix = (f"the model's layers turn the input's steps into {out[0]} (a Conv1D or "
               "pooling with padding='valid' drops steps, strides skip them): use "
               "padding='same' or 'causal', or give targets for the output's steps")
    elif layout.per_step:
        fix = "one target per sequence needs return_sequences=False on the last recurrent layer"
    else:
        fix = f"make the last layer Dense({got}) or reshape y"
    raise InputError(explain(
        "y", expected=f"targets of shape {shape} for the model's output "
        f"{('(batch, ' + ', '.join(str(s) for s in out) + ')')}",
        received=f"shape {tuple(y.shape)}", fix=fix))


def _check_one_hot(y: Tensor, layout: TargetLayout) -> None:
    """One-hot (or soft) targets: probabilities over the output's classes."""
    if y.dim() < 2 or y.shape[-1] != layout.outputs:
        raise InputError(explain(
            "y for loss='categorical_crossentropy'",
            expected=f"one-hot vectors over the {layout.outputs} outputs on the last axis",
            received=f"shape {tuple(y.shape)}",
            fix="for integer class ids use loss='sparse_categorical_crossentropy'"))
    low, high = _range(y)
    if low < 0 or high > 1:
        raise InputError(explain(
            "y for loss='categorical_crossentropy'", expected="values in [0, 1]",
            received=f"values from {float(low)} to {float(high)}",
            fix="pass one-hot vectors or class probabilities"))


def _first_fraction(values: Tensor) -> str:
    index = int((values != values.round()).nonzero()[0][0])
    return f"{float(values[index])} (at index {index})"


def _range(tensor: Tensor) -> tuple[float, float]:
    """Smallest and largest value, block by block (``bool`` counts as 0/1)."""
    lows, highs = [], []
    for _, block in row_blocks(tensor):
        block = block.to(torch.uint8) if block.dtype == torch.bool else block
        lows.append(block.min().item())
        highs.append(block.max().item())
    return min(lows), max(highs)
