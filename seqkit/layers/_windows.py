"""Window arithmetic of ``Conv1D`` and the pooling layers on padded batches.

Keras's three paddings, with each row of a padded batch computed as if it were alone:

* ``"valid"``: no padding; ``L`` steps give ``floor((L - span) / strides) + 1`` outputs,
  where ``span = dilation_rate * (kernel_size - 1) + 1``.
* ``"same"``: ``ceil(L / strides)`` outputs; ``span - 1`` zeros in all with ``strides=1``
  (half before, the odd one after), else Keras's (and TensorFlow's) ``max(0, (ceil(L / s)
  - 1) * s + span - L)``. With ``strides > 1`` that padding depends on each row's own
  ``L``: every row is moved to its own offset (one gather) so that its windows start where
  they would if it were alone.
* ``"causal"``: ``span - 1`` zeros before the sequence: ``ceil(L / strides)`` outputs, and
  output ``t`` sees only steps up to ``t`` (what forecasting needs).

Steps after a row's end are set to the fill value (zeros; ``-inf`` for a maximum) before
the window runs, so padding never reaches a valid output.

Examples:
    >>> import torch
    >>> output_lengths(torch.tensor([7, 4, 0]), span=3, stride=2, padding="valid").tolist()
    [3, 1, 0]
    >>> same_pads(5, span=3, stride=2), same_pads(6, span=3, stride=2)
    ((1, 1), (0, 1))
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.nn import functional

from seqkit.errors import ConfigError, InputError, explain
from seqkit.layers.masks import gather_steps, is_step_mask, right_padded, step_mask

__all__ = [
    "PADDINGS",
    "check_padding",
    "check_span_fits",
    "integer",
    "output_length",
    "output_lengths",
    "row_lengths",
    "same_pads",
    "window_input",
    "window_int",
    "window_lengths",
]

PADDINGS = ("valid", "same", "causal")
"""Keras's padding modes of ``Conv1D`` (pooling: the first two)."""


def integer(value: Any) -> int | None:
    """``value`` as an ``int`` if it is an integer (numpy's too; not a bool), else None.

    Examples:
        >>> import numpy as np
        >>> integer(np.int64(3)), integer(3.0), integer(True)
        (3, None, None)
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        return None
    return int(value)


def window_int(value: Any, arg: str, owner: str) -> int:
    """A positive ``int`` from an int or a one-element tuple/list (Keras accepts both).

    Examples:
        >>> window_int((3,), "kernel_size", "Conv1D")
        3
    """
    if isinstance(value, tuple | list) and len(value) == 1:
        value = value[0]
    number = integer(value)
    if number is None or number < 1:
        raise ConfigError(explain(f"{owner} {arg}", expected="a positive integer (or a "
                                  "one-element tuple of one)", received=f"{arg}={value!r}"))
    return number


def check_padding(value: Any, owner: str, *, causal: bool) -> str:
    """``value`` if it is one of the paddings ``owner`` takes (case as Keras: lower)."""
    options = PADDINGS if causal else PADDINGS[:2]
    if not isinstance(value, str) or value.lower() not in options:
        raise ConfigError(explain(f"{owner} padding", expected=f"one of {list(options)}",
                                  received=f"padding={value!r}"))
    return value.lower()


def output_length(length: int | None, *, span: int, stride: int, padding: str) -> int | None:
    """Output steps of a sequence of ``length`` steps (``None`` stays unknown)."""
    if length is None:
        return None
    if padding == "valid":
        return (length - span) // stride + 1 if length >= span else 0
    return -(-length // stride)


def output_lengths(lengths: Tensor, *, span: int, stride: int, padding: str) -> Tensor:
    """Per-row [`output_length`][seqkit.layers._windows.output_length] of ``(batch,)``
    lengths."""
    if padding == "valid":
        return torch.where(lengths >= span, torch.div(lengths - span, stride,
                                                      rounding_mode="floor") + 1, 0)
    return torch.div(lengths + stride - 1, stride, rounding_mode="floor")


def window_lengths(lengths: Tensor | None, *, span: int, stride: int, padding: str
                   ) -> Tensor | None:
    """The outputs' lengths (or step mask) for inputs' ``lengths`` from
    [`row_lengths`][seqkit.layers._windows.row_lengths].

    A step mask (``stride == 1``) keeps its steps with ``"same"`` and ``"causal"``; with
    ``"valid"`` an output counts when every step of its window does.

    Examples:
        >>> import torch
        >>> mask = torch.tensor([[False, True, True, True]])
        >>> window_lengths(mask, span=2, stride=1, padding="valid").tolist()
        [[False, True, True]]
    """
    if lengths is None:
        return None
    if not is_step_mask(lengths):
        return output_lengths(lengths, span=span, stride=stride, padding=padding)
    if padding != "valid":
        return lengths
    masked = (~lengths).to(torch.float32).unsqueeze(1)
    return functional.max_pool1d(masked, span, 1).squeeze(1) == 0


def same_pads(length: int, *, span: int, stride: int) -> tuple[int, int]:
    """Keras's ``"same"`` padding ``(before, after)`` for ``length`` steps."""
    outputs = -(-length // stride)
    total = span - 1 if stride == 1 else max(0, (outputs - 1) * stride + span - length)
    return total // 2, total - total // 2


def row_lengths(lengths: Tensor | None, time: int, stride: int, owner: str) -> Tensor | None:
    """Per-row lengths, a step mask (only with ``stride == 1``) or ``None``.

    A step mask that is right padding becomes per-row lengths; another one (left padding,
    masked steps inside rows) is kept with ``stride == 1`` and refused otherwise: strided
    windows of a row that does not start at step 0 do not fall where the row's own would.
    """
    if lengths is None or not is_step_mask(lengths):
        return lengths
    mask = step_mask(lengths, time)
    if bool(right_padded(mask)):
        return mask.sum(dim=1)
    if stride == 1:
        return mask
    raise InputError(explain(
        f"{owner} input", expected="right-padded sequences (or strides=1)",
        received="a step mask with left padding or masked steps inside sequences",
        fix="pad sequences on the right (seqkit's padding) or use strides=1; a Masking "
        "layer before this one gives such masks"))


def check_span_fits(owner: str, time: int, lengths: Tensor | None, span: int,
                    what: str) -> None:
    """Refuses sequences shorter than a ``"valid"`` window (Keras would give no output).

    ``what`` names the window, e.g. ``"kernel_size=5 (dilation_rate=1)"``.
    """
    fix = ("use padding='same' or 'causal', a smaller window, or longer sequences (drop "
           f"those under {span} steps)")
    if time < span:
        raise InputError(explain(f"{owner} input", expected=f"at least {span} time steps "
                                 f"(the window {what})", received=f"{time} steps", fix=fix))
    if lengths is None or torch.jit.is_tracing():
        return
    kept = lengths.sum(dim=1) if is_step_mask(lengths) else lengths
    short = ((kept > 0) & (kept < span)).nonzero().flatten()
    if len(short):
        rows = ", ".join(f"row {int(r)}: {int(kept[r])} steps" for r in short[:5])
        raise InputError(explain(f"{owner} input", expected=f"sequences of at least {span} "
                                 f"steps (the window {what})", received=rows, fix=fix))


def window_input(values: Tensor, lengths: Tensor | None, *, span: int, stride: int,
                 padding: str, fill: float) -> Tensor:
    """``values`` made ready for an unpadded window: padding set to ``fill`` and the
    padding mode applied, so output ``j`` of every row is that row's own output ``j``.

    Args:
        values: ``(batch, time, channels)``.
        lengths: From [`row_lengths`][seqkit.layers._windows.row_lengths].
        span: The window's span (dilation included).
        stride: The window's stride.
        padding: One of [`PADDINGS`][seqkit.layers._windows.PADDINGS].
        fill: The value of padding (zeros for sums, ``-inf`` for a maximum).

    Returns:
        ``(batch, time', channels)``.
    """
    time = values.shape[1]
    if lengths is not None:
        keep = step_mask(lengths, time).unsqueeze(-1)
        values = values.masked_fill(~keep, fill)  # not a product: padding may hold inf/nan
    if padding == "valid":
        return values
    if padding == "causal":
        before, after = span - 1, 0
    elif stride > 1 and lengths is not None and not is_step_mask(lengths):
        return _aligned_same(values, lengths, span=span, stride=stride, fill=fill)
    elif stride > 1 and torch.jit.is_tracing():  # ONNX: the padding follows the time axis
        return _traced_same(values, span=span, stride=stride, fill=fill)
    else:
        before, after = same_pads(time, span=span, stride=stride)
    return functional.pad(values, (0, 0, before, after), value=fill)


def _aligned_same(values: Tensor, lengths: Tensor, *, span: int, stride: int,
                  fill: float) -> Tensor:
    """``"same"`` with ``strides > 1``: each row at its own Keras offset (one gather)."""
    time = values.shape[1]
    outputs = -(-time // stride)
    extent = (outputs - 1) * stride + span
    row_outputs = torch.div(lengths + stride - 1, stride, rounding_mode="floor")
    before = ((row_outputs - 1) * stride + span - lengths).clamp(min=0) // 2
    positions = torch.arange(extent, device=values.device)
    source = positions[None, :] - before[:, None]
    keep = (source >= 0) & (source < lengths[:, None])
    gathered = gather_steps(values, source.clamp(0, max(time - 1, 0)))
    return gathered.masked_fill(~keep.unsqueeze(-1), fill)


def _traced_same(values: Tensor, *, span: int, stride: int, fill: float) -> Tensor:
    """``"same"`` with ``strides > 1`` as tensor arithmetic on the time axis's size, so that
    a traced (exported) graph pads every length as Keras does, not only the traced one."""
    time = torch._shape_as_tensor(values)[1]
    extent = (torch.div(time + stride - 1, stride, rounding_mode="floor") - 1) * stride + span
    before = torch.div((extent - time).clamp(min=0), 2, rounding_mode="floor")
    source = torch.arange(extent, device=values.device) - before
    keep = (source >= 0) & (source < time)
    gathered = values.index_select(1, torch.minimum(source.clamp(min=0), time - 1))
    return gathered.masked_fill(~keep[None, :, None], fill)
